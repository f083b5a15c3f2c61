import { TokenCodec } from './token-codec.js';
import { parseLeniently } from './websocket-hub.js';

describe('parseLeniently', () => {
  it('takes the first complete JSON object and ignores trailing junk', () => {
    expect(parseLeniently('{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}})')).toEqual({
      topic: 'aws/subscribe',
      content: { topics: ['aws/chat'] },
    });
    expect(parseLeniently(' {"topic" : "aws/heartbeat"} ')).toEqual({ topic: 'aws/heartbeat' });
    expect(parseLeniently('{"a":"}{\\"","b":1}x')).toEqual({ a: '}{"', b: 1 });
  });

  it('gives undefined for frames without an object', () => {
    expect(parseLeniently('')).toBeUndefined();
    expect(parseLeniently('[1,2]')).toBeUndefined();
    expect(parseLeniently('{"unterminated":')).toBeUndefined();
    expect(parseLeniently('{bad json}')).toBeUndefined();
  });
});

describe('TokenCodec', () => {
  it('verifies its own tokens by kind and expiry', () => {
    const codec = new TokenCodec();
    const token = codec.issue('c', 'participant-1', 2_000);
    expect(codec.verify(token, 'c', 1_000)).toEqual({ kind: 'c', subject: 'participant-1', expiresAt: 2_000 });
    expect(codec.verify(token, 'c', 2_000)).toBeUndefined();
    expect(codec.verify(token, 'p', 1_000)).toBeUndefined();
    expect(codec.verify(codec.issue('p', 'a/b'), 'p')?.subject).toBe('a/b');
  });

  it('rejects tampered tokens and tokens from before a rotation', () => {
    const codec = new TokenCodec();
    const token = codec.issue('p', 'participant-1');
    expect(codec.verify(token.replace('participant-1', 'participant-2'), 'p')).toBeUndefined();
    expect(codec.verify('junk', 'p')).toBeUndefined();
    expect(codec.verify(undefined, 'p')).toBeUndefined();
    codec.rotate();
    expect(codec.verify(token, 'p')).toBeUndefined();
  });
});
