/**
 * The chat's client state as one reducer (pure, unit-tested in test/):
 * each room's lines (history and live, merged by id, in id order), unread
 * counts, and messages still on their way to the server.
 *
 * Unread counts combine the server's figure with what arrived live:
 * `base` was computed by the server up to `baseLatestId`; live message ids
 * above it are added. A refetch replaces the base, so nothing counts twice.
 */
import type { ChatMessage, RoomSummary } from '../shared/rules.ts';

export interface RoomFeed {
  /** Published lines, unique by id, ascending. */
  lines: ChatMessage[];
  /** History has been fetched at least once (the newest page). */
  loaded: boolean;
  /** Older history exists beyond `lines[0]`. */
  hasMore: boolean;
}

export interface Unread {
  base: number;
  baseLatestId: number;
  /** Ids of messages by others that arrived live while the room was not open. */
  live: number[];
}

/** A message the user sent that the server has not confirmed yet. */
export interface Pending {
  key: string;
  roomId: string;
  text: string;
  status: 'sending' | 'failed';
  error: string | null;
  createdAt: number;
}

export interface ChatState {
  rooms: RoomSummary[];
  feeds: Record<string, RoomFeed>;
  unread: Record<string, Unread>;
  pending: Pending[];
  openRoom: string | null;
}

export type Action =
  | { type: 'rooms'; rooms: RoomSummary[] }
  | { type: 'open'; roomId: string }
  | { type: 'live'; line: ChatMessage; me: string }
  | { type: 'history'; roomId: string; lines: ChatMessage[]; hasMore: boolean; older: boolean }
  | { type: 'sending'; pending: Pending }
  | { type: 'sent'; line: ChatMessage }
  | { type: 'failed'; key: string; error: string }
  | { type: 'discard'; key: string };

export const initialState: ChatState = { rooms: [], feeds: {}, unread: {}, pending: [], openRoom: null };

const emptyFeed: RoomFeed = { lines: [], loaded: false, hasMore: false };

/** `lines` plus `more`, unique by id, in id order. */
export function mergeLines(lines: ChatMessage[], more: ChatMessage[]): ChatMessage[] {
  if (more.length === 0) return lines;
  const byId = new Map(lines.map((l) => [l.id, l]));
  let changed = false;
  for (const l of more) {
    const known = byId.get(l.id);
    // Keep the first copy, but learn its seq if the first one lacked it.
    if (known === undefined || (known.seq === null && l.seq !== null)) {
      byId.set(l.id, l);
      changed = true;
    }
  }
  if (!changed) return lines;
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

const maxId = (lines: ChatMessage[]) => (lines.length === 0 ? 0 : lines[lines.length - 1]!.id);

function withLines(state: ChatState, roomId: string, more: ChatMessage[], patch: Partial<RoomFeed> = {}): ChatState {
  const feed = state.feeds[roomId] ?? emptyFeed;
  const lines = mergeLines(feed.lines, more);
  // A confirmed line replaces its pending copy.
  const keys = new Set(more.map((l) => l.key));
  const pending = state.pending.some((p) => keys.has(p.key)) ? state.pending.filter((p) => !keys.has(p.key)) : state.pending;
  return { ...state, pending, feeds: { ...state.feeds, [roomId]: { ...feed, ...patch, lines } } };
}

/** The room's unread count as the sidebar shows it. */
export function unreadCount(state: ChatState, roomId: string): number {
  if (state.openRoom === roomId) return 0;
  const u = state.unread[roomId];
  if (u === undefined) return 0;
  return u.base + u.live.filter((id) => id > u.baseLatestId).length;
}

export function reducer(state: ChatState, action: Action): ChatState {
  switch (action.type) {
    case 'rooms': {
      const unread: Record<string, Unread> = {};
      for (const r of action.rooms) {
        const live = state.unread[r.id]?.live ?? [];
        unread[r.id] =
          r.id === state.openRoom ? { base: 0, baseLatestId: r.latestId, live: [] } : { base: r.unread, baseLatestId: r.latestId, live };
      }
      return { ...state, rooms: action.rooms, unread };
    }
    case 'open': {
      if (state.openRoom === action.roomId) return state;
      const room = state.rooms.find((r) => r.id === action.roomId);
      const seen = Math.max(
        maxId(state.feeds[action.roomId]?.lines ?? []),
        room?.latestId ?? 0,
        ...(state.unread[action.roomId]?.live ?? []),
      );
      return { ...state, openRoom: action.roomId, unread: { ...state.unread, [action.roomId]: { base: 0, baseLatestId: seen, live: [] } } };
    }
    case 'live': {
      const { line, me } = action;
      let next = withLines(state, line.roomId, [line]);
      const u = next.unread[line.roomId];
      if (line.roomId !== state.openRoom && line.kind === 'message' && line.userId !== me && u !== undefined && !u.live.includes(line.id)) {
        next = { ...next, unread: { ...next.unread, [line.roomId]: { ...u, live: [...u.live, line.id] } } };
      }
      return next;
    }
    case 'history': {
      const feed = state.feeds[action.roomId] ?? emptyFeed;
      // The newest page says nothing about older pages already loaded; an older page does.
      const hasMore = action.older || !feed.loaded ? action.hasMore : feed.hasMore;
      return withLines(state, action.roomId, action.lines, { loaded: true, hasMore });
    }
    case 'sending': {
      const others = state.pending.filter((p) => p.key !== action.pending.key);
      return { ...state, pending: [...others, action.pending].sort((a, b) => a.createdAt - b.createdAt) };
    }
    case 'sent':
      return withLines(state, action.line.roomId, [action.line]);
    case 'failed':
      return { ...state, pending: state.pending.map((p) => (p.key === action.key ? { ...p, status: 'failed', error: action.error } : p)) };
    case 'discard':
      return { ...state, pending: state.pending.filter((p) => p.key !== action.key) };
  }
}

/** A live message's content as a chat line, or null when it is not one. */
export function lineFromEvent(content: Record<string, unknown>, seq: number | undefined): ChatMessage | null {
  const c = content as Partial<ChatMessage>;
  if (typeof c.id !== 'number' || typeof c.key !== 'string' || typeof c.roomId !== 'string' || typeof c.userId !== 'string') return null;
  if (typeof c.text !== 'string' || typeof c.userName !== 'string' || (c.kind !== 'message' && c.kind !== 'join')) return null;
  return {
    id: c.id,
    key: c.key,
    roomId: c.roomId,
    kind: c.kind,
    userId: c.userId,
    userName: c.userName,
    text: c.text,
    createdAt: typeof c.createdAt === 'number' ? c.createdAt : Date.now(),
    seq: seq ?? null,
  };
}
