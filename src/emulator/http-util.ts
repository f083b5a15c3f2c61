import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AwsError } from './aws-errors.js';

const EXPOSED = 'x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date';

/** Browsers (ChatJS, the agent console) call cross-origin: allow any origin and expose the AWS headers. */
export function setCors(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED);
}

export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  setCors(req, res);
  res.setHeader('Access-Control-Allow-Methods', 'GET,POST,PUT,DELETE,OPTIONS');
  res.setHeader(
    'Access-Control-Allow-Headers',
    req.headers['access-control-request-headers'] ??
      'content-type,x-amz-bearer,authorization,x-amz-date,x-amz-user-agent,x-amz-security-token,amz-sdk-invocation-id,amz-sdk-request',
  );
  res.setHeader('Access-Control-Max-Age', '86400');
  res.writeHead(200, { 'Content-Length': '0' }).end();
}

export class BodyTooLarge extends Error {}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new BodyTooLarge(`body over ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Success of an AWS operation: 200, JSON, a request id the SDK reads into `$metadata.requestId`. */
export function sendAwsResult(res: ServerResponse, body: unknown): void {
  sendJson(res, 200, body, { 'x-amzn-RequestId': randomUUID() });
}

export function sendAwsError(res: ServerResponse, err: AwsError): void {
  sendJson(res, err.status, { message: err.message }, { 'x-amzn-RequestId': randomUUID(), 'x-amzn-ErrorType': err.type });
}
