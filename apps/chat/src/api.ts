/** Calls to the app's own functions (/api/*). Errors carry the API's stable code. */
import type { ChatMessage, Member, RoomSummary } from '../shared/rules.ts';

export interface User {
  id: string;
  name: string;
}

/** A refused or failed call: `code` is the API's code, or NETWORK when there was no answer. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(message: string, code: string, status: number) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError('Could not reach the server. Check your connection and retry.', 'NETWORK', 0);
  }
  const json = (await res.json().catch(() => ({}))) as T & { error?: string; code?: string };
  if (!res.ok) throw new ApiError(json.error ?? `The server answered ${res.status}.`, json.code ?? 'HTTP_ERROR', res.status);
  return json;
}

export const api = {
  session: () => call<{ user: User | null; brokerUrl: string }>('GET', '/session'),
  signIn: (name: string) => call<{ user: User; brokerUrl: string }>('POST', '/session', { name }),
  signOut: () => call<{ user: null }>('DELETE', '/session'),
  rooms: () => call<{ rooms: RoomSummary[] }>('GET', '/rooms'),
  join: (roomId: string) => call<{ rooms: RoomSummary[] }>('POST', `/rooms/${encodeURIComponent(roomId)}/join`),
  members: (roomId: string) => call<{ members: Member[] }>('GET', `/rooms/${encodeURIComponent(roomId)}/members`),
  history: (roomId: string, before?: number) =>
    call<{ messages: ChatMessage[]; hasMore: boolean }>(
      'GET',
      `/rooms/${encodeURIComponent(roomId)}/messages${before === undefined ? '' : `?before=${before}`}`,
    ),
  send: (roomId: string, key: string, text: string) =>
    call<{ message: ChatMessage }>('POST', `/rooms/${encodeURIComponent(roomId)}/messages`, { key, text }),
  markRead: (roomId: string, lastId: number) => call<{ ok: true }>('POST', `/rooms/${encodeURIComponent(roomId)}/read`, { lastId }),
};
