/** Rooms, memberships, unread counts and joining. */
import { roomChannel, type Member, type RoomSummary } from '../shared/rules.ts';
import { database, transaction } from './db.ts';
import { AppError } from './errors.ts';
import { publishLine, storeLine } from './messages.ts';
import type { User } from './users.ts';

/** Every room, with the user's membership and unread count. */
export function listRooms(userId: string): RoomSummary[] {
  const rows = database()
    .prepare(
      `SELECT r.id, r.name, r.topic, m.user_id IS NOT NULL AS joined,
         COALESCE((SELECT COUNT(*) FROM messages x WHERE x.room_id = r.id AND x.published = 1 AND x.kind = 'message'
                     AND x.user_id != ? AND x.id > m.last_read_id), 0) AS unread,
         COALESCE((SELECT MAX(id) FROM messages x WHERE x.room_id = r.id AND x.published = 1), 0) AS latestId
       FROM rooms r LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = ?
       ORDER BY r.position`,
    )
    .all(userId, userId) as Array<{ id: string; name: string; topic: string; joined: number; unread: number; latestId: number }>;
  return rows.map((r) => ({ ...r, joined: r.joined === 1, unread: r.joined === 1 ? r.unread : 0 }));
}

/** The broker channels of every room (the ones a user may join), for the user's token. */
export function allRoomChannels(): string[] {
  return (database().prepare('SELECT id FROM rooms ORDER BY position').all() as Array<{ id: string }>).map((r) => roomChannel(r.id));
}

export function isMember(roomId: string, userId: string): boolean {
  return database().prepare('SELECT 1 FROM memberships WHERE room_id = ? AND user_id = ?').get(roomId, userId) !== undefined;
}

/** 404 for an unknown room, 403 when the user has not joined it. */
export function requireMember(roomId: string, userId: string): void {
  if (database().prepare('SELECT 1 FROM rooms WHERE id = ?').get(roomId) === undefined)
    throw new AppError(404, 'ROOM_NOT_FOUND', `There is no room '${roomId}'.`);
  if (!isMember(roomId, userId)) throw new AppError(403, 'NOT_A_MEMBER', 'Join the room first.');
}

/** Joins a room (idempotent): membership and a join line, announced as `user-joined`. */
export async function joinRoom(roomId: string, user: User): Promise<void> {
  if (database().prepare('SELECT 1 FROM rooms WHERE id = ?').get(roomId) === undefined)
    throw new AppError(404, 'ROOM_NOT_FOUND', `There is no room '${roomId}'.`);
  const row = transaction((d) => {
    d.prepare('INSERT OR IGNORE INTO memberships (room_id, user_id, joined_at) VALUES (?, ?, ?)').run(roomId, user.id, Date.now());
    return storeLine(d, { key: `join-${roomId}-${user.id}`, roomId, userId: user.id, kind: 'join', text: '' });
  });
  await publishLine(row);
}

/** The room's members (online state comes from presence, in the browser). */
export function members(roomId: string, userId: string): Member[] {
  requireMember(roomId, userId);
  return database()
    .prepare(
      `SELECT u.id AS userId, u.name, s.at AS lastSeenAt FROM memberships m JOIN users u ON u.id = m.user_id
       LEFT JOIN last_seen s ON s.user_id = u.id WHERE m.room_id = ? ORDER BY u.name COLLATE NOCASE`,
    )
    .all(roomId) as unknown as Member[];
}

/** Records that the user has read the room up to `lastId`. */
export function markRead(roomId: string, userId: string, lastId: unknown): void {
  if (typeof lastId !== 'number' || !Number.isInteger(lastId) || lastId < 0)
    throw new AppError(400, 'INVALID_REQUEST', "'lastId' must be a message id.");
  requireMember(roomId, userId);
  database()
    .prepare('UPDATE memberships SET last_read_id = MAX(last_read_id, ?) WHERE room_id = ? AND user_id = ?')
    .run(lastId, roomId, userId);
}
