/** The SSE wire contract: the cursor, the event-stream writer and reader. */
import { describe, expect, it } from 'vitest';
import { encodeCursor, formatSseComment, formatSseEvent, parseCursor, SseParser, type SseIncoming } from '../../src/protocol/index.js';

describe('the cursor', () => {
  it('round-trips channels with `:`, `=`, `.` and `@` in their names, and unknown epochs', () => {
    const entries = [
      { channel: 'chat:room-1', epoch: '3f9a01bc', seq: 42 },
      { channel: 'a.b=c@d:e', epoch: null, seq: 0 },
      { channel: 'news', epoch: 'x_y-z', seq: 9_007_199_254_740_991 },
    ];
    const text = encodeCursor(entries);
    expect(text).toBe('chat:room-1=3f9a01bc.42,a.b=c@d:e=.0,news=x_y-z.9007199254740991');
    expect(parseCursor(text)).toEqual({ ok: true, entries });
  });

  it('the empty text is the empty cursor', () => {
    expect(parseCursor('')).toEqual({ ok: true, entries: [] });
  });

  it.each([
    ['no separator', 'news'],
    ['no seq', 'news=abc'],
    ['a negative seq', 'news=abc.-1'],
    ['a fractional seq', 'news=abc.1.5x'],
    ['a seq past 2^53', 'news=abc.99999999999999999'],
    ['a bad channel', 'bad channel!=abc.1'],
    ['a bad epoch', 'news=ab$c.1'],
    ['a channel twice', 'news=a.1,news=a.2'],
    ['an empty entry', 'news=a.1,'],
  ])('refuses %s', (_what, text) => {
    expect(parseCursor(text).ok).toBe(false);
  });

  it('refuses a cursor over 32 KB', () => {
    expect(parseCursor(`news=a.${'1'.repeat(33 * 1024)}`)).toMatchObject({ ok: false });
  });
});

describe('the event-stream format', () => {
  const all = (items: SseIncoming[]) => items;

  it('writes name, id and data, and the default event without a name', () => {
    expect(formatSseEvent({ event: 'subscribed', id: 'c=e.1', data: '{"a":1}' })).toBe('event: subscribed\nid: c=e.1\ndata: {"a":1}\n\n');
    expect(formatSseEvent({ event: 'message', data: 'x' })).toBe('data: x\n\n');
    expect(formatSseEvent({ data: 'two\nlines' })).toBe('data: two\ndata: lines\n\n');
    expect(formatSseComment('heart\nbeat')).toBe(': heart beat\n\n');
  });

  it('reads what it writes, in any chunking, with CRLF, CR or LF line ends', () => {
    const text = `${formatSseEvent({ event: 'subscribed', id: 'c=e.1', data: '{"a":1}' })}${formatSseComment('hb')}retry: 500\n${formatSseEvent({ data: 'two\nlines' })}`;
    const expected: SseIncoming[] = [
      { kind: 'event', event: 'subscribed', data: '{"a":1}', lastEventId: 'c=e.1' },
      { kind: 'comment', text: 'hb' },
      { kind: 'retry', ms: 500 },
      { kind: 'event', event: 'message', data: 'two\nlines', lastEventId: 'c=e.1' },
    ];
    for (const eol of ['\n', '\r\n', '\r']) {
      const variant = text.replace(/\n/g, eol);
      for (const size of [1, 2, 3, 7, variant.length]) {
        const parser = new SseParser();
        const got: SseIncoming[] = [];
        for (let i = 0; i < variant.length; i += size) got.push(...parser.feed(variant.slice(i, i + size)));
        expect(all(got), `eol ${JSON.stringify(eol)}, chunks of ${size}`).toEqual(expected);
      }
    }
  });

  it('skips a leading BOM, ignores unknown fields, and needs the blank line to dispatch', () => {
    const parser = new SseParser();
    expect(parser.feed('\ufeffdata: a\nfoo: bar\n')).toEqual([]);
    expect(parser.feed('\n')).toEqual([{ kind: 'event', event: 'message', data: 'a', lastEventId: '' }]);
    // An event with no data line dispatches nothing.
    expect(parser.feed('event: x\n\n')).toEqual([]);
  });
});
