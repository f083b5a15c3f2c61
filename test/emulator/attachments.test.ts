import {
  AccessDeniedException,
  CompleteAttachmentUploadCommand,
  ConflictException,
  GetAttachmentCommand,
  GetTranscriptCommand,
  ServiceQuotaExceededException,
  StartAttachmentUploadCommand,
  ValidationException,
} from '@aws-sdk/client-connectparticipant';
import type { ChatHandle } from './emulator-fixture.js';
import { EmulatorFixture, expectAwsError } from './emulator-fixture.js';

describe('attachments', () => {
  const fx = new EmulatorFixture();
  beforeAll(() => fx.start());
  afterEach(() => fx.reset());
  afterAll(() => fx.stop());

  const start = (chat: ChatHandle, name = 'note.txt', type = 'text/plain', size = 5, ClientToken?: string) =>
    fx.participant.send(
      new StartAttachmentUploadCommand({
        ConnectionToken: chat.connectionToken,
        AttachmentName: name,
        ContentType: type,
        AttachmentSizeInBytes: size,
        ClientToken,
      }),
    );
  const complete = (chat: ChatHandle, id: string, ClientToken?: string) =>
    fx.participant.send(new CompleteAttachmentUploadCommand({ ConnectionToken: chat.connectionToken, AttachmentIds: [id], ClientToken }));
  const upload = (meta: { Url?: string; HeadersToInclude?: Record<string, string> }, body: string) => {
    const headers = { ...meta.HeadersToInclude };
    delete headers['Content-Length'];
    return fetch(meta.Url!, { method: 'PUT', headers, body });
  };

  it('uploads to the emulator, posts an ATTACHMENT item and serves the bytes back', async () => {
    const chat = await fx.chat();
    const started = await start(chat);
    expect(started.UploadMetadata!.Url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${fx.emulator.port}/`));
    expect(started.UploadMetadata!.HeadersToInclude).toMatchObject({ 'Content-Type': 'text/plain', 'Content-Length': '5' });
    expect((await upload(started.UploadMetadata!, 'hello')).status).toBe(200);
    await complete(chat, started.AttachmentId!);

    const item = await chat.socket!.item((i) => i.Type === 'ATTACHMENT');
    expect(item).toMatchObject({
      ParticipantRole: 'CUSTOMER',
      Attachments: [{ AttachmentId: started.AttachmentId, AttachmentName: 'note.txt', ContentType: 'text/plain', Status: 'APPROVED' }],
    });
    expect(item.ContentType).toBeUndefined();
    const page = await fx.participant.send(new GetTranscriptCommand({ ConnectionToken: chat.connectionToken }));
    expect(page.Transcript!.some((i) => i.Type === 'ATTACHMENT')).toBe(true);

    const got = await fx.participant.send(
      new GetAttachmentCommand({ ConnectionToken: chat.connectionToken, AttachmentId: started.AttachmentId!, UrlExpiryInSeconds: 60 }),
    );
    expect(got.AttachmentSizeInBytes).toBe(5);
    const download = await fetch(got.Url!);
    expect(download.headers.get('content-type')).toBe('text/plain');
    expect(await download.text()).toBe('hello');
  });

  it('refuses disallowed types, files over 20 MB and bad names with ValidationException', async () => {
    const chat = await fx.chat({}, { socket: false });
    await expectAwsError(start(chat, 'x.exe', 'application/x-msdownload'), ValidationException, 400);
    await expectAwsError(start(chat, 'big.pdf', 'application/pdf', 20 * 1024 * 1024 + 1), ValidationException, 400);
    await start(chat, 'max.pdf', 'application/pdf', 20 * 1024 * 1024);
    await expectAwsError(start(chat, '', 'application/pdf'), ValidationException, 400);
    await expectAwsError(start(chat, 'zero.pdf', 'application/pdf', 0), ValidationException, 400);
  });

  it('answers 402 ServiceQuotaExceededException over the per-chat quota', async () => {
    await fx.configure({ attachments: { perChat: 2 } });
    const chat = await fx.chat({}, { socket: false });
    await start(chat, 'a.txt');
    const b = await start(chat, 'b.txt', 'text/plain', 5, 'token-b');
    expect((await start(chat, 'b.txt', 'text/plain', 5, 'token-b')).AttachmentId).toBe(b.AttachmentId);
    await expectAwsError(start(chat, 'c.txt'), ServiceQuotaExceededException, 402);
  });

  it('checks the upload and completion: size, order, repeats', async () => {
    const chat = await fx.chat({}, { socket: false });
    const started = await start(chat);
    await expectAwsError(complete(chat, started.AttachmentId!), ValidationException, 400);
    expect((await upload(started.UploadMetadata!, 'too long')).status).toBe(400);
    expect((await fetch(started.UploadMetadata!.Url!.replace(/attachments\/.*/, 'attachments/forged'), { method: 'PUT', body: 'hello' })).status).toBe(403);
    expect((await upload(started.UploadMetadata!, 'hello')).status).toBe(200);
    await complete(chat, started.AttachmentId!, 'done-1');
    await complete(chat, started.AttachmentId!, 'done-1');
    await expectAwsError(complete(chat, started.AttachmentId!, 'done-2'), ConflictException, 409);
    await expectAwsError(complete(chat, 'unknown'), ValidationException, 400);
    await expectAwsError(
      fx.participant.send(new GetAttachmentCommand({ ConnectionToken: chat.connectionToken, AttachmentId: 'unknown' })),
      ValidationException,
      400,
    );
    await fx.control('POST', `contacts/${chat.contactId}/stop`);
    await expectAwsError(start(chat), AccessDeniedException, 403);
  });
});
