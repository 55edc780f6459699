/**
 * REST shapes (prefix `/api/v1`). Success bodies are `{success: true, data}`,
 * lists add `pagination`; errors are `{success: false, error, code}`.
 */
import type { ErrorCode } from './codes.js';
import type { JsonObject } from './limits.js';

export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  totalPages: number;
}

export interface PublishResult {
  id: string;
  channelSlug: string;
  eventType: string;
  clientId: string;
  /** Number of subscribers the message is being fanned out to. */
  delivered: number;
  createdAt: string;
  /** Publish time, ms since the epoch (the public SDK's `PublishResult.timestamp`). */
  timestamp: number;
  /** Extension: the message's per-channel sequence number. */
  seq: number;
}

export interface HistoryMessage {
  id: string;
  channel: string;
  eventType: string;
  clientId: string;
  content: Record<string, unknown>;
  timestamp: number;
  /** Extension. */
  seq: number;
  /** Extension: published by a client over its socket. */
  clientEvent?: true;
}

/** One message of a batch publish (`POST /api/v1/batch`). */
export interface BatchItem {
  channel: string;
  content: Record<string, unknown>;
  eventType?: string;
  /** Makes a retried batch a no-op for this message (like Idempotency-Key). */
  id?: string;
}

export interface ChannelInfo {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  isPrivate: boolean;
  metadata: JsonObject | null;
  messageCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface ApiSuccess<T> {
  success: true;
  data: T;
}
/**
 * One page of a channel's history: `data` of `GET /channels/{c}/messages`.
 * The items and the pagination both sit inside `data` (the public SDK reads
 * `data.items` and `data.pagination`); unlike the channel list, nothing is
 * beside `data`.
 */
export interface HistoryPage {
  items: HistoryMessage[];
  pagination: Pagination;
}

/** `data` of `POST /auth/token`: a connection token for a publish key. */
export interface ConnectionToken {
  /** Opens `/ws?token=…` with what the publish key may do (public channels), nothing more. */
  token: string;
  /** When the token stops opening sockets (ISO 8601). */
  expiresAt: string;
  /** The WebSocket URL to open (`ws(s)://…/ws`); add `?token=…`. */
  endpoint: string;
  /** The client id the socket will have (`connected.clientId`). */
  clientId: string;
}

export interface ApiList<T> {
  success: true;
  data: T[];
  pagination: Pagination;
}
export interface ApiError {
  success: false;
  error: string;
  code: ErrorCode;
}
