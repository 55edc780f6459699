/**
 * Users and sign-in. Dev-grade identity: a display name is all it takes, and
 * signing in with a name that exists makes you that user. A real app takes
 * the user from its own authentication.
 */
import { randomBytes } from 'node:crypto';
import { nameProblem } from '../shared/rules.ts';
import { database, transaction } from './db.ts';
import { AppError } from './errors.ts';
import { isMember, joinRoom } from './rooms.ts';

export interface User {
  id: string;
  name: string;
}

/** The user with this id, or null. */
export function findUser(id: string): User | null {
  const row = database().prepare('SELECT id, name FROM users WHERE id = ?').get(id) as User | undefined;
  return row ?? null;
}

/**
 * Signs in by display name: an existing user with that name (case-insensitive),
 * or a new one who joins the rooms everyone joins (announced with `user-joined`).
 */
export async function signIn(rawName: unknown): Promise<{ user: User; created: boolean }> {
  const problem = nameProblem(rawName);
  if (problem !== null) throw new AppError(400, problem.code, problem.error);
  const name = (rawName as string).trim().replace(/\s+/g, ' ');
  const result = transaction((d) => {
    const existing = d.prepare('SELECT id, name FROM users WHERE name_key = ?').get(name.toLowerCase()) as User | undefined;
    if (existing !== undefined) return { user: { id: existing.id, name: existing.name }, created: false };
    const user: User = { id: `u-${randomBytes(6).toString('hex')}`, name };
    d.prepare('INSERT INTO users (id, name, name_key, created_at) VALUES (?, ?, ?, ?)').run(
      user.id,
      user.name,
      name.toLowerCase(),
      Date.now(),
    );
    return { user, created: true };
  });
  // Idempotent: a sign-in retried after a failed publish announces what is still unannounced.
  const autoRooms = database().prepare('SELECT id FROM rooms WHERE auto_join = 1 ORDER BY position').all() as Array<{ id: string }>;
  if (result.created) for (const room of autoRooms) await joinRoom(room.id, result.user);
  else for (const room of autoRooms) if (isMember(room.id, result.user.id)) await joinRoom(room.id, result.user);
  return result;
}
