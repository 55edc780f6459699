/**
 * The public `@pushflodev/sdk` v1.0 as a contract: the shapes its types
 * declare, field by field, and the rules by which its REST client reads an
 * answer (facts from ../shared/pushflo-protocol.md, in our own words; no code
 * of the public SDK). test/integration/public-contract.test.ts holds the
 * broker and this SDK to it.
 */
import { expect } from 'vitest';

/** A field's declared type: `typeof` names, `|null` where the public type allows null, `iso` for ISO 8601 strings. */
type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'string|null' | 'object|null' | 'iso' | 'array';
type Shape = Record<string, FieldType>;

/** `PublishResult` as the public types declare it, plus the fields the protocol lists for the answer. */
export const PUBLISH_RESULT: Shape = { id: 'string', channelSlug: 'string', delivered: 'number', timestamp: 'number' };
export const PUBLISH_ANSWER: Shape = { ...PUBLISH_RESULT, eventType: 'string', clientId: 'string', createdAt: 'iso' };
/** `Message`. */
export const MESSAGE: Shape = {
  id: 'string',
  channel: 'string',
  eventType: 'string',
  clientId: 'string',
  content: 'object',
  timestamp: 'number',
};
/** `Pagination`. */
export const PAGINATION: Shape = { page: 'number', pageSize: 'number', total: 'number', totalPages: 'number' };
/** `Channel`. */
export const CHANNEL: Shape = {
  id: 'string',
  name: 'string',
  slug: 'string',
  description: 'string|null',
  isPrivate: 'boolean',
  metadata: 'object|null',
  messageCount: 'number',
  createdAt: 'iso',
  updatedAt: 'iso',
};
/** `ConnectionInfo` (the `connected` event). */
export const CONNECTION_INFO: Shape = { clientId: 'string', timestamp: 'number' };
/** `data` of `POST /auth/token`. */
export const CONNECTION_TOKEN: Shape = { token: 'string', expiresAt: 'iso', endpoint: 'string', clientId: 'string' };

function matches(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'iso':
      return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value) && !Number.isNaN(Date.parse(value));
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'string|null':
      return value === null || typeof value === 'string';
    case 'object|null':
      return value === null || (typeof value === 'object' && !Array.isArray(value));
    default:
      return typeof value === type;
  }
}

/** Every field the public type declares is there, with its declared type. Extra fields are allowed (the public client ignores them). */
export function expectShape(value: unknown, shape: Shape, what: string): void {
  expect(value, `${what} is an object`).toBeTypeOf('object');
  expect(value, `${what} is not null`).not.toBeNull();
  const record = value as Record<string, unknown>;
  for (const [field, type] of Object.entries(shape)) {
    expect(field in record, `${what}.${field} is present`).toBe(true);
    expect(matches(record[field], type), `${what}.${field} is ${type} (got ${JSON.stringify(record[field])})`).toBe(true);
  }
}

/**
 * How the public REST client turns a success body into what its methods get:
 * `{success, data}` becomes `data`; with `pagination` beside `data`, it
 * becomes `{data, pagination}`. Anything else is taken as is.
 */
export function publicUnwrap(body: unknown): unknown {
  if (body !== null && typeof body === 'object' && 'success' in body && 'data' in body) {
    const b = body as { data: unknown; pagination?: unknown };
    return 'pagination' in b ? { data: b.data, pagination: b.pagination } : b.data;
  }
  return body;
}

/** What the public `getMessageHistory` returns for an answer body: `.items` and `.pagination` of the unwrapped data. */
export function publicHistory(body: unknown): { messages: unknown; pagination: unknown } {
  const data = publicUnwrap(body) as { items?: unknown; pagination?: unknown };
  return { messages: data.items, pagination: data.pagination };
}

/** What the public `listChannels` returns: `.data` and `.pagination`. */
export function publicChannelList(body: unknown): { channels: unknown; pagination: unknown } {
  const data = publicUnwrap(body) as { data?: unknown; pagination?: unknown };
  return { channels: data.data, pagination: data.pagination };
}
