/** `ClientOptions` checked and completed with their defaults. */
import { DEFAULT_BASE_URL } from '../constants.js';
import { AuthenticationError, ClientErrorCode, ValidationError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import type { ClientOptions, Clock, EventSourceConstructor, TransportOption, WebSocketConstructor } from '../types.js';
import { systemClock } from './timing.js';

export interface ResolvedOptions {
  publishKey: string | null;
  token: string | null;
  tokenProvider: (() => Promise<string>) | null;
  baseUrl: string;
  debug: boolean;
  connectionTimeout: number;
  heartbeatInterval: number;
  autoReconnect: boolean;
  maxReconnectAttempts: number;
  reconnectDelay: number;
  maxReconnectDelay: number;
  replayOnReconnect: boolean;
  transport: TransportOption;
  WebSocket: WebSocketConstructor | undefined;
  /** `fetch` for SSE; undefined when the runtime has none. */
  fetch: typeof fetch | undefined;
  EventSource: EventSourceConstructor | undefined;
  clock: Clock;
  random: () => number;
}

/** A token provider that POSTs to `authUrl` (cookies included) and reads `{ token }`. */
function authUrlProvider(authUrl: string, headers: () => Record<string, string> | undefined): () => Promise<string> {
  return async () => {
    const res = await fetch(authUrl, { method: 'POST', credentials: 'include', headers: { Accept: 'application/json', ...headers() } });
    if (!res.ok) {
      throw new AuthenticationError(
        `authUrl answered ${res.status}`,
        res.status === 401 || res.status === 403 ? ErrorCode.UNAUTHORIZED : ClientErrorCode.AUTH_FAILED,
      );
    }
    const body = (await res.json()) as { token?: unknown };
    if (typeof body.token !== 'string')
      throw new AuthenticationError("authUrl must answer JSON { token: '…' }", ClientErrorCode.AUTH_FAILED);
    return body.token;
  };
}

/** `fetch` wrapped so that it is never called as a method of another object (browsers refuse that). */
function unbound(f: typeof fetch | undefined): typeof fetch | undefined {
  return f === undefined ? undefined : (input, init) => f.call(globalThis, input, init);
}

/**
 * Checks the credentials and fills in every default.
 * @throws {AuthenticationError} no credential at all, or a key with the wrong prefix
 */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  const hasAuth = options?.token !== undefined || options?.authUrl !== undefined || options?.authCallback !== undefined;
  if (!options || (!options.publishKey && !hasAuth)) {
    throw new AuthenticationError('publishKey is required (or token / authUrl / authCallback)', ClientErrorCode.MISSING_PUBLISH_KEY);
  }
  if (options.publishKey && !/^(pub|sec|mgmt)_/.test(options.publishKey)) {
    throw new AuthenticationError("publishKey must start with 'pub_' (or 'sec_'/'mgmt_' on servers)", ClientErrorCode.INVALID_API_KEY);
  }
  const transport = options.transport ?? 'auto';
  if (transport !== 'auto' && transport !== 'websocket' && transport !== 'sse') {
    throw new ValidationError(
      `transport must be 'auto', 'websocket' or 'sse', not '${String(transport)}'`,
      ClientErrorCode.INVALID_TRANSPORT,
    );
  }
  return {
    publishKey: options.publishKey ?? null,
    token: options.token ?? null,
    tokenProvider:
      options.authCallback ?? (options.authUrl === undefined ? null : authUrlProvider(options.authUrl, () => options.authHeaders)),
    baseUrl: (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
    debug: options.debug ?? false,
    connectionTimeout: options.connectionTimeout ?? 30_000,
    heartbeatInterval: options.heartbeatInterval ?? 25_000,
    autoReconnect: options.autoReconnect ?? true,
    maxReconnectAttempts: options.maxReconnectAttempts ?? 0,
    reconnectDelay: options.reconnectDelay ?? 1_000,
    maxReconnectDelay: options.maxReconnectDelay ?? 30_000,
    replayOnReconnect: options.replayOnReconnect ?? true,
    transport,
    WebSocket: options.WebSocket,
    fetch: unbound(options.fetch ?? (typeof globalThis.fetch === 'function' ? globalThis.fetch : undefined)),
    EventSource: options.EventSource,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };
}
