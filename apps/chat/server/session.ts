/**
 * The signed-in user: a signed cookie holding the user id. Dev-grade (anyone
 * can sign in as any display name); a real app uses its own authentication.
 */
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { config } from './config.ts';
import { AppError } from './errors.ts';
import { findUser, type User } from './users.ts';

const COOKIE = 'chat_user';
/** Cookies are signed with the server's secret key, so a browser cannot pick another user's id. */
const SECRET = `chat-session:${config.pushfloSecretKey}`;

export async function currentUser(c: Context): Promise<User | null> {
  const id = await getSignedCookie(c, SECRET, COOKIE);
  return typeof id === 'string' ? findUser(id) : null;
}

/** The signed-in user, or a 401. */
export async function requireUser(c: Context): Promise<User> {
  const user = await currentUser(c);
  if (user === null) throw new AppError(401, 'NOT_SIGNED_IN', 'Sign in first.');
  return user;
}

export async function startSession(c: Context, user: User): Promise<void> {
  await setSignedCookie(c, COOKIE, user.id, SECRET, { path: '/', httpOnly: true, sameSite: 'Lax', maxAge: 30 * 86_400 });
}

export function endSession(c: Context): void {
  deleteCookie(c, COOKIE, { path: '/' });
}
