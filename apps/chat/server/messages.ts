/**
 * Chat lines: stored in SQLite first, then published to the room's channel.
 *
 * The send path is idempotent end to end: the row is unique on the sender's
 * key, so a retry or a double click answers the first row; the publish uses
 * the same key as its Idempotency-Key, so the broker never delivers it twice
 * either. A row whose publish failed stays unpublished (not in history) until
 * the sender retries with the same key.
 */
import type { DatabaseSync } from 'node:sqlite';
import { EVENTS, isIdempotencyKey, messageProblem, roomChannel, type ChatMessage } from '../shared/rules.ts';
import { database, transaction } from './db.ts';
import { AppError } from './errors.ts';
import { pushflo } from './pushflo.ts';
import { requireMember } from './rooms.ts';

interface Row {
  id: number;
  key: string;
  room_id: string;
  user_id: string;
  user_name: string;
  kind: 'message' | 'join';
  text: string;
  created_at: number;
  published: number;
  seq: number | null;
}

const SELECT = `SELECT m.id, m.key, m.room_id, m.user_id, u.name AS user_name, m.kind, m.text, m.created_at, m.published, m.seq
  FROM messages m JOIN users u ON u.id = m.user_id`;

function toMessage(row: Row): ChatMessage {
  return {
    id: row.id,
    key: row.key,
    roomId: row.room_id,
    kind: row.kind,
    userId: row.user_id,
    userName: row.user_name,
    text: row.text,
    createdAt: row.created_at,
    seq: row.seq,
  };
}

function byKey(d: DatabaseSync, key: string): Row | undefined {
  return d.prepare(`${SELECT} WHERE m.key = ?`).get(key) as Row | undefined;
}

/** Stores a line unless its key exists; answers the row either way. */
export function storeLine(d: DatabaseSync, line: { key: string; roomId: string; userId: string; kind: Row['kind']; text: string }): Row {
  const existing = byKey(d, line.key);
  if (existing !== undefined) {
    if (existing.room_id !== line.roomId || existing.user_id !== line.userId || existing.kind !== line.kind || existing.text !== line.text)
      throw new AppError(409, 'KEY_REUSED', 'This idempotency key was already used for a different message.');
    return existing;
  }
  d.prepare('INSERT INTO messages (key, room_id, user_id, kind, text, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    line.key,
    line.roomId,
    line.userId,
    line.kind,
    line.text,
    Date.now(),
  );
  return byKey(d, line.key)!;
}

/**
 * Publishes a stored line (unless it already was) with its key as the
 * idempotency key, and records the broker's seq.
 */
export async function publishLine(row: Row): Promise<ChatMessage> {
  if (row.published === 1) return toMessage(row);
  const message = toMessage(row);
  let seq: number | undefined;
  try {
    const result = await pushflo.publish(
      roomChannel(row.room_id),
      { ...message },
      {
        eventType: row.kind === 'join' ? EVENTS.userJoined : EVENTS.messageSent,
        idempotencyKey: row.key,
      },
    );
    seq = result.seq;
  } catch {
    throw new AppError(503, 'PUBLISH_FAILED', 'The message was saved but could not be delivered yet. Retry to send it.');
  }
  database()
    .prepare('UPDATE messages SET published = 1, seq = ? WHERE id = ?')
    .run(seq ?? null, row.id);
  return { ...message, seq: seq ?? null };
}

/** POST /api/rooms/:id/messages: validates, stores once per key, publishes `message-sent`. */
export async function sendMessage(input: { roomId: string; userId: string; key: unknown; text: unknown }): Promise<ChatMessage> {
  const problem = messageProblem(input.text);
  if (problem !== null) throw new AppError(400, problem.code, problem.error);
  if (!isIdempotencyKey(input.key))
    throw new AppError(400, 'INVALID_KEY', "'key' must be 8 to 64 letters, digits, '-' or '_' (a UUID works).");
  requireMember(input.roomId, input.userId);
  const key = input.key;
  const text = (input.text as string).trim();
  const row = transaction((d) => storeLine(d, { key, roomId: input.roomId, userId: input.userId, kind: 'message', text }));
  return publishLine(row);
}

/** Published lines of a room before `beforeId` (newest page first), answered oldest first. */
export function history(
  roomId: string,
  userId: string,
  beforeId: number | null,
  limit: number,
): { messages: ChatMessage[]; hasMore: boolean } {
  requireMember(roomId, userId);
  const rows = database()
    .prepare(`${SELECT} WHERE m.room_id = ? AND m.published = 1 AND m.id < ? ORDER BY m.id DESC LIMIT ?`)
    .all(roomId, beforeId ?? Number.MAX_SAFE_INTEGER, limit + 1) as unknown as Row[];
  const hasMore = rows.length > limit;
  return { messages: rows.slice(0, limit).reverse().map(toMessage), hasMore };
}
