import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatMessage, RoomSummary } from '../shared/rules.ts';
import { initialState, lineFromEvent, reducer, unreadCount, type ChatState } from '../src/chat-state.ts';

const line = (id: number, roomId = 'general', userId = 'u-ben', kind: ChatMessage['kind'] = 'message'): ChatMessage => ({
  id,
  key: `k-${id}`,
  roomId,
  kind,
  userId,
  userName: 'Ben',
  text: `m${id}`,
  createdAt: id,
  seq: id,
});
const room = (id: string, unread: number, latestId: number): RoomSummary => ({ id, name: id, topic: '', joined: true, unread, latestId });
const me = 'u-ana';

function start(): ChatState {
  let s = reducer(initialState, { type: 'rooms', rooms: [room('general', 0, 10), room('random', 2, 12)] });
  s = reducer(s, { type: 'open', roomId: 'general' });
  return s;
}

test('lines merge by id, in id order, once each (history and live overlap, replay repeats)', () => {
  let s = start();
  s = reducer(s, { type: 'live', line: line(13), me });
  s = reducer(s, { type: 'history', roomId: 'general', lines: [line(11), line(12), line(13)], hasMore: true, older: false });
  s = reducer(s, { type: 'live', line: line(13), me });
  s = reducer(s, { type: 'live', line: line(15), me });
  s = reducer(s, { type: 'live', line: line(14), me });
  assert.deepEqual(
    s.feeds.general!.lines.map((l) => l.id),
    [11, 12, 13, 14, 15],
  );
  assert.equal(s.feeds.general!.hasMore, true);
  s = reducer(s, { type: 'history', roomId: 'general', lines: [line(9), line(10)], hasMore: false, older: true });
  assert.deepEqual(
    s.feeds.general!.lines.map((l) => l.id),
    [9, 10, 11, 12, 13, 14, 15],
  );
  assert.equal(s.feeds.general!.hasMore, false);
});

test('unread: the server base plus live messages by others in rooms not open, never counted twice', () => {
  let s = start();
  assert.equal(unreadCount(s, 'random'), 2);
  s = reducer(s, { type: 'live', line: line(13, 'random'), me });
  s = reducer(s, { type: 'live', line: line(13, 'random'), me }); // replayed twice: once
  s = reducer(s, { type: 'live', line: line(14, 'random', me), me }); // mine: not unread
  s = reducer(s, { type: 'live', line: line(15, 'random', 'u-cleo', 'join'), me }); // joins: not unread
  s = reducer(s, { type: 'live', line: line(16, 'general'), me }); // the open room: read
  assert.equal(unreadCount(s, 'random'), 3);
  assert.equal(unreadCount(s, 'general'), 0);
  // A recount from the server that already includes 13 replaces the base: 13 is not added again.
  s = reducer(s, { type: 'rooms', rooms: [room('general', 0, 16), room('random', 3, 15)] });
  assert.equal(unreadCount(s, 'random'), 3);
  s = reducer(s, { type: 'live', line: line(17, 'random'), me });
  assert.equal(unreadCount(s, 'random'), 4);
  // Opening the room reads it; leaving it counts again from there.
  s = reducer(s, { type: 'open', roomId: 'random' });
  assert.equal(unreadCount(s, 'random'), 0);
  s = reducer(s, { type: 'open', roomId: 'general' });
  assert.equal(unreadCount(s, 'random'), 0);
  s = reducer(s, { type: 'live', line: line(18, 'random'), me });
  assert.equal(unreadCount(s, 'random'), 1);
});

test('pending messages: replaced by their confirmed line (from the answer or the live event), failed ones kept for retry', () => {
  let s = start();
  const pending = { key: 'k-20', roomId: 'general', text: 'hi', status: 'sending' as const, error: null, createdAt: 1 };
  s = reducer(s, { type: 'sending', pending });
  s = reducer(s, { type: 'sending', pending: { ...pending, key: 'k-21', createdAt: 2 } });
  assert.equal(s.pending.length, 2);
  s = reducer(s, { type: 'live', line: { ...line(20), userId: me }, me }); // the live event first
  s = reducer(s, { type: 'sent', line: { ...line(20), userId: me } }); // then the answer
  assert.deepEqual(
    s.pending.map((p) => p.key),
    ['k-21'],
  );
  assert.equal(s.feeds.general!.lines.filter((l) => l.key === 'k-20').length, 1);
  s = reducer(s, { type: 'failed', key: 'k-21', error: 'Could not reach the server.' });
  assert.equal(s.pending[0]!.status, 'failed');
  s = reducer(s, { type: 'sending', pending: { ...pending, key: 'k-21', createdAt: 3 } }); // retry, same key
  assert.equal(s.pending.length, 1);
  assert.equal(s.pending[0]!.status, 'sending');
});

test('live content that is not a chat line is ignored', () => {
  assert.equal(lineFromEvent({ name: 'Ana' }, undefined), null);
  assert.equal(lineFromEvent({ ...line(1), kind: 'other' }, 1), null);
  assert.deepEqual(lineFromEvent({ ...line(1), seq: null }, 7), { ...line(1), seq: 7 });
});
