/**
 * SseStream on its own (in workerd, real ReadableStreams): how it finds a
 * message's channel and seq, how its cursor moves, the unread-output cap, and
 * its one `onGone`.
 */
import { describe, expect, it } from 'vitest';
import { parseCursor } from '@pushflodev/sdk/protocol';
import { messageFrame } from '../../src/channel/frames';
import type { SocketMeta } from '../../src/connection/hub';
import { messagePosition, SseStream } from '../../src/connection/sse-stream';
import { TestStream } from '../shared/test-stream';

const meta = (): SocketMeta => ({ id: 'sse_0_x', clientId: 'c', connectedAt: 0, seenAt: 0, token: false, exp: null, presence: false });

function make(maxBufferedBytes = 1 << 20) {
  const gone: string[] = [];
  const stream = new SseStream(meta(), 'secret', {
    maxBufferedBytes,
    heartbeatEvents: false,
    now: () => Date.now(),
    onGone: (_s, why) => gone.push(why),
  });
  return { stream, gone };
}

const stored = (seq: number | undefined, data: string, clientEvent = false) => ({
  id: `msg_${seq}`,
  eventType: 'e',
  clientId: 'server',
  data,
  timestamp: 1_700_000_000_000,
  seq,
  clientEvent,
});

describe('messagePosition', () => {
  it('reads channel and seq from messageFrame() output, whatever the content says', () => {
    const tricky = JSON.stringify({ text: ',"timestamp":1,"seq":999}', '"channel"': 'x', seq: 7 });
    expect(messagePosition(messageFrame('chat:room-1', stored(42, tricky)))).toEqual({ channel: 'chat:room-1', seq: 42 });
    expect(messagePosition(messageFrame('a.b=c@d', stored(3, '{}', true)))).toEqual({ channel: 'a.b=c@d', seq: 3 });
    // Ephemeral client events have no seq.
    expect(messagePosition(messageFrame('news', stored(undefined, tricky, true)))).toEqual({ channel: 'news', seq: undefined });
  });

  it('falls back to parsing a message frame in another layout, and says null for other frames', () => {
    expect(messagePosition(JSON.stringify({ channel: 'news', type: 'message', seq: 5 }))).toEqual({ channel: 'news', seq: 5 });
    expect(messagePosition('{"type":"subscribed","channel":"news","seq":1}')).toBeNull();
    expect(messagePosition('not json')).toBeNull();
  });
});

describe('SseStream', () => {
  it('gives sequenced messages, `subscribed` and `unsubscribed` the cursor as id; others none', async () => {
    const { stream } = make();
    const reader = new TestStream(new Response(stream.readable));
    stream.send(JSON.stringify({ type: 'subscribed', channel: 'a', seq: 10, epoch: 'e1' }));
    stream.send(messageFrame('a', stored(11, '{}')));
    stream.send(messageFrame('a', stored(undefined, '{}', true)));
    stream.send(JSON.stringify({ type: 'presence', channel: 'a', action: 'sync', members: [] }));
    stream.send(JSON.stringify({ type: 'error', code: 'RATE_LIMITED', error: 'slow down' }));
    // A recovery replaying 3: the position is where the replay starts, not the head.
    stream.send(JSON.stringify({ type: 'subscribed', channel: 'b', seq: 8, epoch: 'e2', recovered: true, replayed: 3 }));
    stream.send(JSON.stringify({ type: 'unsubscribed', channel: 'a' }));
    await reader.until(() => reader.events.length === 7, '7 events');
    const seen = reader.events.map((x) => [x.event, x.id]);
    expect(seen).toEqual([
      ['subscribed', 'a=e1.10'],
      ['message', 'a=e1.11'],
      ['message', 'a=e1.11'], // no id of its own: the last one stays in force
      ['presence', 'a=e1.11'],
      ['broker-error', 'a=e1.11'],
      ['subscribed', 'a=e1.11,b=e2.5'],
      ['unsubscribed', 'b=e2.5'],
    ]);
    expect(parseCursor(reader.lastEventId)).toEqual({ ok: true, entries: [{ channel: 'b', epoch: 'e2', seq: 5 }] });
    await reader.cancel();
  });

  it('a resubscribe never moves a channel backwards; a recovery that failed moves it to the head', async () => {
    const { stream } = make();
    const reader = new TestStream(new Response(stream.readable));
    stream.startAt('a', 'e1', 4);
    stream.send(JSON.stringify({ type: 'subscribed', channel: 'a', seq: 9, epoch: 'e1', recovered: true, replayed: 9 }));
    stream.send(JSON.stringify({ type: 'subscribed', channel: 'b', seq: 9, epoch: 'e3', recovered: false, reason: 'epoch', replayed: 0 }));
    await reader.until(() => reader.events.length === 2, '2 events');
    expect(reader.events.map((x) => x.id)).toEqual(['a=e1.4', 'a=e1.4,b=e3.9']);
    await reader.cancel();
  });

  it('ends as a slow consumer when unread output passes the cap, and tells once', () => {
    const { stream, gone } = make(10_000);
    const frame = messageFrame('a', stored(1, JSON.stringify({ pad: 'x'.repeat(3_000) })));
    for (let i = 0; i < 5; i++) stream.send(frame);
    expect(gone).toEqual(['slow']);
    expect(stream.closed).toBe(true);
    stream.send(frame);
    stream.close(4000, 'x');
    expect(gone).toEqual(['slow']);
  });

  it('a reader that keeps up is never cut off', async () => {
    const { stream, gone } = make(10_000);
    const reader = new TestStream(new Response(stream.readable));
    for (let i = 1; i <= 50; i++) {
      stream.send(messageFrame('a', stored(i, JSON.stringify({ pad: 'x'.repeat(3_000) }))));
      await reader.until(() => reader.events.length === i, `event ${i}`);
    }
    expect(gone).toEqual([]);
    await reader.cancel();
    expect(gone).toEqual(['cancelled']);
  });

  it('close() writes the close event, ends the stream and tells once', async () => {
    const { stream, gone } = make();
    const reader = new TestStream(new Response(stream.readable));
    stream.close(4002, 'slow consumer');
    await reader.until(() => reader.ended, 'the end');
    expect(reader.events.map((x) => [x.event, x.data])).toEqual([['close', '{"type":"close","code":4002,"reason":"slow consumer"}']]);
    expect(gone).toEqual(['closed']);
  });
});
