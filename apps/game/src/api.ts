/** The game's HTTP functions, typed. Failures throw `ApiProblem` with the server's stable code. */
import type { MatchInfo, PlayerInfo, Snapshot, GameResult } from '../shared/events.ts';

export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface LobbyMatch extends MatchInfo {
  players: number;
}

/** A player's identity in one match, kept in this tab (sessionStorage) so a reload rejoins. */
export interface Credentials {
  matchId: string;
  playerId: string;
  key: string;
  name: string;
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, key?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key !== undefined) headers.Authorization = `Bearer ${key}`;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiProblem(0, 'NETWORK', 'the game server is unreachable');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as { error?: string; code?: string };
  if (!res.ok) throw new ApiProblem(res.status, data.code ?? 'HTTP_ERROR', data.error ?? `HTTP ${res.status}`);
  return data as T;
}

export const api = {
  matches: () => call<{ matches: LobbyMatch[] }>('GET', '/api/matches').then((r) => r.matches),
  createMatch: (name: string) => call<{ match: MatchInfo }>('POST', '/api/matches', { name }).then((r) => r.match),
  join: (matchId: string, name: string) => call<{ player: PlayerInfo; key: string }>('POST', `/api/matches/${matchId}/players`, { name }),
  token: (c: Credentials) => call<{ token: string; baseUrl: string }>('POST', `/api/matches/${c.matchId}/token`, undefined, c.key),
  config: () => call<{ baseUrl: string }>('GET', '/api/config'),
  snapshot: (matchId: string) => call<Snapshot>('GET', `/api/matches/${matchId}/snapshot`),
  start: (c: Credentials) => call<{ match: MatchInfo }>('POST', `/api/matches/${c.matchId}/start`, undefined, c.key),
  position: (c: Credentials, x: number, y: number) => call<void>('POST', `/api/matches/${c.matchId}/position`, { x, y }, c.key),
  claim: (c: Credentials, coinId: string, x: number, y: number) =>
    call<{ score: number }>('POST', `/api/matches/${c.matchId}/claims`, { coinId, x, y }, c.key),
  finish: (matchId: string) => call<{ result: GameResult }>('POST', `/api/matches/${matchId}/finish`),
};

const storageKey = (matchId: string) => `coin-rush:player:${matchId}`;

export function savedCredentials(matchId: string): Credentials | null {
  try {
    const raw = sessionStorage.getItem(storageKey(matchId));
    return raw === null ? null : (JSON.parse(raw) as Credentials);
  } catch {
    return null;
  }
}

export function saveCredentials(c: Credentials): void {
  sessionStorage.setItem(storageKey(c.matchId), JSON.stringify(c));
}
