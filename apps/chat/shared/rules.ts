/**
 * Rules shared by the browser and the server, so the composer refuses exactly
 * what the API refuses, with the same words.
 */

/** Longest message, in characters (code points, so an emoji counts once). */
export const MAX_MESSAGE_CHARS = 2000;
/** Longest display name. */
export const MAX_NAME_CHARS = 32;

/** A refusal: a stable code and a sentence for people. */
export interface Problem {
  code: string;
  error: string;
}

/** Characters as people count them (code points). */
export function charCount(text: string): number {
  return Array.from(text).length;
}

/** Why `text` cannot be sent, or null when it can. */
export function messageProblem(text: unknown): Problem | null {
  if (typeof text !== 'string' || text.trim() === '') return { code: 'EMPTY_MESSAGE', error: 'Write something before sending.' };
  const n = charCount(text.trim());
  if (n > MAX_MESSAGE_CHARS)
    return { code: 'MESSAGE_TOO_LONG', error: `Messages can be at most ${MAX_MESSAGE_CHARS} characters (this one has ${n}).` };
  return null;
}

/** Why `name` is not a usable display name, or null. */
export function nameProblem(name: unknown): Problem | null {
  if (typeof name !== 'string' || name.trim() === '') return { code: 'INVALID_NAME', error: 'Enter a display name.' };
  if (charCount(name.trim()) > MAX_NAME_CHARS)
    return { code: 'INVALID_NAME', error: `Display names can be at most ${MAX_NAME_CHARS} characters.` };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to reject names containing control characters (C0 and DEL).
  if (/[\u0000-\u001f\u007f]/.test(name)) return { code: 'INVALID_NAME', error: 'Display names cannot contain control characters.' };
  return null;
}

/** Client-generated idempotency keys: 8–64 letters, digits, `-` or `_` (a UUID fits). */
export function isIdempotencyKey(key: unknown): key is string {
  return typeof key === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(key);
}

/** The broker channel of a room. */
export const roomChannel = (roomId: string): string => `chat:room-${roomId}`;

/** A chat line as the API answers it and `message-sent` / `user-joined` carry it. */
export interface ChatMessage {
  /** Database id: the order every member sees. */
  id: number;
  /** The sender's idempotency key. */
  key: string;
  roomId: string;
  kind: 'message' | 'join';
  userId: string;
  userName: string;
  text: string;
  /** ms since the epoch. */
  createdAt: number;
  /** The broker's per-channel seq once published (null for seed data). */
  seq: number | null;
}

/** A room in the sidebar. */
export interface RoomSummary {
  id: string;
  name: string;
  topic: string;
  joined: boolean;
  /** Messages by others after the user's last read one (joined rooms). */
  unread: number;
  /** Newest published message id when this was computed. */
  latestId: number;
}

/** A room member (from the database; who is online comes from presence). */
export interface Member {
  userId: string;
  name: string;
  /** When the member last left a room (the broker's `member_removed` webhook), ms; null if never seen leaving. */
  lastSeenAt: number | null;
}

/** Event types on a room channel. */
export const EVENTS = {
  /** Server publish: a new chat message (stored, in history). */
  messageSent: 'message-sent',
  /** Server publish: someone became a member of the room (stored, in history). */
  userJoined: 'user-joined',
  /** Client event: someone is typing (ephemeral, never echoed, never stored). */
  userTyping: 'user-typing',
  /** Server publish after a `member_removed` webhook: `{userId, lastSeenAt}` (not a chat line). */
  memberSeen: 'member-seen',
} as const;
