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
