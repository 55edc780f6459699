/** The client's boundary: coalesced WebSocket messages, frame checks, error mapping, the ws URL, token expiry. */
import { beforeEach, describe, expect, it } from 'vitest';
import { errorFromFrame, parseServerFrame, splitFrames } from '../../src/client/server-frames.js';
import { tokenExpiry } from '../../src/client/token-source.js';
import { webSocketUrl } from '../../src/client/websocket-transport.js';
import { AuthenticationError, ClientErrorCode, ConnectionError, PushFloError } from '../../src/errors.js';
import { ErrorCode } from '../../src/protocol/index.js';
import type { Message } from '../../src/types.js';
import { clock, connected, FakeWebSocket, fakeToken, makeClient, messageFrame, resetFakes } from './fakes.js';

beforeEach(resetFakes);

const line = (frame: Record<string, unknown>) => JSON.stringify(frame);

describe('coalesced frames (coalesce=1)', () => {
  it('asks for coalescing and names the protocol version in the ws URL', () => {
    expect(webSocketUrl({ baseUrl: 'https://b.example', params: { token: 'pub_x', v: '1' } })).toBe(
      'wss://b.example/ws?token=pub_x&v=1&coalesce=1',
    );
    makeClient()
      .connect()
      .catch(() => undefined);
    const url = new URL(FakeWebSocket.last.url);
    expect([url.searchParams.get('v'), url.searchParams.get('coalesce')]).toEqual(['1', '1']);
  });

  it('one WebSocket message carrying 3 frames: each handled, in order', async () => {
    const client = await connected();
    const got: Message[] = [];
    client.subscribe('c', { onMessage: (m) => got.push(m) });
    const ws = FakeWebSocket.last;
    ws.receive({ type: 'subscribed', channel: 'c', seq: 0, epoch: 'e' });
    ws.receiveText([messageFrame('c', 1), messageFrame('c', 2), messageFrame('c', 3)].map(line).join('\n'));
    expect(got.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('different frame types in one message keep their order (subscribed, then its replay)', async () => {
    const client = await connected();
    const got: number[] = [];
    client.subscribe('c', { onMessage: (m) => got.push(m.seq!) });
    FakeWebSocket.last.receiveText(
      [{ type: 'subscribed', channel: 'c', seq: 2, epoch: 'e', recovered: true }, messageFrame('c', 3), messageFrame('c', 4)]
        .map(line)
        .join('\n'),
    );
    expect(got).toEqual([3, 4]);
  });

  it('a malformed line is reported; the frames around it are still handled', async () => {
    const client = await connected();
    const got: number[] = [];
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    client.subscribe('c', { onMessage: (m) => got.push(m.seq!) });
    const ws = FakeWebSocket.last;
    ws.receive({ type: 'subscribed', channel: 'c', seq: 0, epoch: 'e' });
    ws.receiveText(
      [line(messageFrame('c', 1)), '{"type":"message","chan', line(messageFrame('c', 2)), line({ type: 'message', channel: 'c' })].join(
        '\n',
      ),
    );
    expect(got).toEqual([1, 2]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({
      code: ClientErrorCode.INVALID_SERVER_FRAME,
      message: expect.stringContaining('not JSON') as unknown as string,
    });
    expect(errors[1]!.message).toMatch(/messageId/);
    expect(client.connectionState).toBe('connected');
  });

  it('stops at a refusal: lines after a refusing error frame are not handled', async () => {
    const client = makeClient();
    const done = client.connect();
    const got: Message[] = [];
    client.subscribe('c', { onMessage: (m) => got.push(m) });
    FakeWebSocket.last.open();
    FakeWebSocket.last.receiveText(
      [line({ type: 'error', error: 'bad key', code: 'UNAUTHORIZED' }), line({ type: 'connected', clientId: 'x', timestamp: 1 })].join(
        '\n',
      ),
    );
    await expect(done).rejects.toBeInstanceOf(AuthenticationError);
    expect(client.connectionState).toBe('error');
  });

  it('empty lines (a trailing newline) are not frames', () => {
    expect(splitFrames('{"type":"pong"}\n\n{"type":"pong"}\n')).toEqual(['{"type":"pong"}', '{"type":"pong"}']);
  });
});

describe('frame checks', () => {
  it('skips unknown frame types quietly and refuses malformed known ones', () => {
    expect(parseServerFrame('{"type":"telemetry"}')).toEqual({ kind: 'unknown', type: 'telemetry' });
    expect(parseServerFrame('[1]')).toMatchObject({ kind: 'invalid' });
    expect(parseServerFrame('{"type":"message","channel":"c","messageId":"m","seq":"7"}')).toMatchObject({ kind: 'invalid' });
    expect(parseServerFrame('{"type":"subscribed","channel":"c","reason":"lost"}')).toMatchObject({ kind: 'invalid' });
    expect(parseServerFrame('{"type":"presence","channel":"c","action":"join","member":{}}')).toMatchObject({ kind: 'invalid' });
    expect(parseServerFrame('{"type":"connected","clientId":"a","protocol":"1"}')).toMatchObject({ kind: 'invalid' });
  });

  it('accepts base-protocol frames without the extensions', () => {
    expect(parseServerFrame('{"type":"connected","clientId":"a","timestamp":1}')).toMatchObject({ kind: 'frame' });
    expect(parseServerFrame('{"type":"subscribed","channel":"c"}')).toMatchObject({ kind: 'frame' });
    expect(
      parseServerFrame('{"type":"message","channel":"c","messageId":"m","eventType":"e","clientId":"s","data":{},"timestamp":1}'),
    ).toMatchObject({
      kind: 'frame',
    });
  });

  it('an error frame without a code gets SERVER_ERROR (the fallback is applied before the code is read)', () => {
    const parsed = parseServerFrame('{"type":"error","error":"boom"}');
    expect(parsed).toEqual({ kind: 'frame', frame: { type: 'error', error: 'boom', code: ClientErrorCode.SERVER_ERROR } });
    if (parsed.kind !== 'frame' || parsed.frame.type !== 'error') throw new Error('unreachable');
    expect(errorFromFrame(parsed.frame)).toMatchObject({ name: 'PushFloError', code: 'SERVER_ERROR', retryable: false });
  });

  it('maps error codes to error kinds', () => {
    const of = (code: string) => errorFromFrame({ type: 'error', error: 'x', code });
    expect(of(ErrorCode.TOKEN_EXPIRED)).toBeInstanceOf(AuthenticationError);
    expect(of(ErrorCode.UNAUTHORIZED)).toBeInstanceOf(AuthenticationError);
    expect(of(ErrorCode.UNSUPPORTED_PROTOCOL)).toBeInstanceOf(ConnectionError);
    expect(of(ErrorCode.UNSUPPORTED_PROTOCOL).retryable).toBe(false);
    expect([ErrorCode.RATE_LIMITED, ErrorCode.SUBSCRIBE_FAILED, ErrorCode.PUBLISH_FAILED].map((c) => of(c).retryable)).toEqual([
      true,
      true,
      true,
    ]);
    expect(of(ErrorCode.FORBIDDEN)).toMatchObject({ retryable: false });
    expect(of(ErrorCode.FORBIDDEN)).toBeInstanceOf(PushFloError);
  });

  it('a codeless error frame reaches the channel listener as SERVER_ERROR', async () => {
    const client = await connected();
    const errors: Error[] = [];
    client.subscribe('c', { onError: (e) => errors.push(e) });
    FakeWebSocket.last.receive({ type: 'error', error: 'something broke', channel: 'c' });
    expect(errors).toMatchObject([{ code: ClientErrorCode.SERVER_ERROR, message: 'something broke' }]);
  });
});

describe('protocol version, through the client', () => {
  it('a broker speaking another version: connect() rejects with PROTOCOL_MISMATCH, state error, no retry', async () => {
    const client = makeClient();
    const done = client.connect();
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive({ type: 'connected', clientId: 'c', timestamp: 1, protocol: 2 });
    await expect(done).rejects.toMatchObject({ code: ClientErrorCode.PROTOCOL_MISMATCH, retryable: false });
    expect(client.connectionState).toBe('error');
    clock.advance(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('the broker refusing ?v= (error frame, then close 4501): a non-retryable UNSUPPORTED_PROTOCOL, never retried', async () => {
    const client = await connected();
    FakeWebSocket.last.drop(); // then every reconnect is refused
    clock.advance(1_000);
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive({ type: 'error', error: 'protocol version 1 is not supported', code: 'UNSUPPORTED_PROTOCOL' });
    FakeWebSocket.last.drop(4501, 'protocol version 1 is not supported');
    expect(errors).toMatchObject([{ name: 'ConnectionError', code: 'UNSUPPORTED_PROTOCOL', retryable: false }]);
    expect(client.connectionState).toBe('error');
    clock.advance(120_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });
});

describe('tokenExpiry', () => {
  it("reads exp with token.ts's base64url decoding, and refuses what is not base64url", () => {
    expect(tokenExpiry(fakeToken(1_767_225_600))).toBe(1_767_225_600);
    expect(tokenExpiry('pub_local_dev')).toBeNull();
    expect(tokenExpiry('a.b+c/d.e')).toBeNull(); // standard base64 characters are not base64url
    expect(tokenExpiry(`x.${btoa('{"sub":"u"}').replace(/=+$/, '')}.y`)).toBeNull(); // no exp
  });
});
