/** The server client: publish, history and channel management over HTTP. */
import { AuthenticationError, ClientErrorCode, ValidationError } from '../errors.js';
import { ErrorCode, isPlainObject, MAX_TOKEN_TTL_SECONDS, signToken, type HistoryPage, type TokenClaims } from '../protocol/index.js';
import type {
  BatchMessage,
  Channel,
  ChannelInput,
  ChannelUpdateInput,
  ListChannelsOptions,
  Message,
  MessageHistoryOptions,
  Pagination,
  PublishOptions,
  PublishResult,
  ServerOptions,
  TokenOptions,
} from '../types.js';
import { assertChannelName } from '../validation.js';
import { DEFAULT_BASE_URL } from '../constants.js';
import { RestClient } from './rest.js';

const path = (channel: string) => `/channels/${encodeURIComponent(channel)}`;

/**
 * Server-side client. Keep the secret key on the server.
 *
 * @example
 * ```ts
 * import { PushFloServer } from '@pushflodev/sdk/server';
 *
 * const pushflo = new PushFloServer({ secretKey: process.env.PUSHFLO_SECRET_KEY!, baseUrl: 'http://127.0.0.1:8787' });
 * await pushflo.publish('orders:user-123', { orderId: 'o-1', status: 'shipped' }, { eventType: 'order-shipped' });
 * ```
 */
export class PushFloServer {
  private readonly rest: RestClient;
  /** Channel management (`consoleUrl`; the broker itself unless set). */
  private readonly console: RestClient;
  private readonly secretKey: string;

  constructor(options: ServerOptions) {
    if (!options?.secretKey) throw new AuthenticationError('secretKey is required', ClientErrorCode.MISSING_SECRET_KEY);
    if (!/^(sec|mgmt)_/.test(options.secretKey)) {
      throw new AuthenticationError("secretKey must be a secret ('sec_') or management ('mgmt_') key", ClientErrorCode.INVALID_API_KEY);
    }
    this.secretKey = options.secretKey;
    const f = options.fetch ?? globalThis.fetch;
    const rest = (baseUrl: string) =>
      new RestClient({
        apiKey: options.secretKey,
        baseUrl: baseUrl.replace(/\/+$/, ''),
        timeout: options.timeout ?? 30_000,
        retryAttempts: options.retryAttempts ?? 3,
        maxRetryAfter: options.maxRetryAfter ?? 10_000,
        debug: options.debug ?? false,
        fetch: (input, init) => f(input, init),
      });
    const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    this.rest = rest(baseUrl);
    this.console = options.consoleUrl === undefined || options.consoleUrl === baseUrl ? this.rest : rest(options.consoleUrl);
  }

  /**
   * Publishes `content` (a JSON object, ≤ 32 KB) to `channel`. Resolves once
   * the broker has stored it.
   *
   * @throws {ValidationError} bad channel name or content (before sending), or refused by the broker
   * @throws {AuthenticationError} wrong key
   * @throws {NetworkError} unreachable, timed out, or 5xx after retries
   * @throws {RateLimitError} still rate-limited (429) after waiting out `Retry-After`, or asked to wait longer than `maxRetryAfter`
   * @example
   * ```ts
   * const { id, seq } = await pushflo.publish('chat:room-42', { text: 'hi' }, { eventType: 'message-sent' });
   * ```
   */
  async publish(channel: string, content: Record<string, unknown>, options: PublishOptions = {}): Promise<PublishResult> {
    assertChannelName(channel);
    if (!isPlainObject(content)) throw new ValidationError('content must be a JSON object', ErrorCode.INVALID_CONTENT);
    // Every publish carries an idempotency key (yours, or a fresh one), so the
    // retries of a network error can never publish the message twice.
    const headers = { 'Idempotency-Key': options.idempotencyKey ?? `auto-${crypto.randomUUID()}` };
    return this.rest.request<PublishResult>('POST', `${path(channel)}/messages`, {
      body: { content, eventType: options.eventType ?? 'message' },
      headers,
      retryRateLimited: true,
    });
  }

  /**
   * Publishes up to 100 messages to one or more channels in one call. Per
   * channel, order follows the array. Answers one result per message, in order.
   *
   * Every message carries an idempotency key (its `id`, or a fresh one), so a
   * retried batch (network error, 5xx, 429 after `Retry-After`) stores each
   * message once; pass your own `id`s to make *your* retries safe too.
   * @throws {RateLimitError} still rate-limited after waiting out `Retry-After` (see `publish`)
   * @example
   * ```ts
   * await pushflo.publishBatch([
   *   { channel: 'game:match-9', eventType: 'score-updated', content: { a: 3 } },
   *   { channel: 'dashboard:company-7', eventType: 'metrics-update', content: { orders: 12 }, id: 'tick-1001' },
   * ]);
   * ```
   */
  async publishBatch(messages: BatchMessage[]): Promise<PublishResult[]> {
    if (!Array.isArray(messages) || messages.length === 0 || messages.length > 100)
      throw new ValidationError('publishBatch takes 1 to 100 messages', ErrorCode.INVALID_REQUEST);
    for (const m of messages) {
      assertChannelName(m.channel);
      if (!isPlainObject(m.content)) throw new ValidationError('each message content must be a JSON object', ErrorCode.INVALID_CONTENT);
    }
    const keyed = messages.map((m) => ({ ...m, id: m.id ?? `auto-${crypto.randomUUID()}` }));
    return this.rest.request<PublishResult[]>('POST', '/batch', { body: { messages: keyed }, retryRateLimited: true });
  }

  /**
   * Mints a short-lived signed token (JWT, HMAC-SHA256 with this client's
   * secret key) for a browser: its client id, expiry and per-channel
   * capabilities. Serve it from your auth endpoint (`authUrl`).
   * @example
   * ```ts
   * const token = await pushflo.createToken({
   *   clientId: user.id,
   *   capabilities: { 'chat:room-*': ['subscribe', 'publish', 'presence', 'history'] },
   *   info: { name: user.name },
   *   ttlSeconds: 3600,
   * });
   * ```
   */
  async createToken(options: TokenOptions): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const ttl = options.ttlSeconds ?? 3600;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS)
      throw new ValidationError(`ttlSeconds must be 1 to ${MAX_TOKEN_TTL_SECONDS}`, ErrorCode.INVALID_REQUEST);
    const claims: TokenClaims = { sub: options.clientId, iat: now, exp: now + ttl, cap: options.capabilities };
    if (options.info !== undefined) claims.info = options.info;
    try {
      return await signToken(claims, this.secretKey);
    } catch (err) {
      throw new ValidationError(err instanceof Error ? err.message : String(err), ErrorCode.INVALID_REQUEST);
    }
  }

  /**
   * One page of a channel's history, in publish order (or newest first with `order: 'desc'`).
   * @example
   * ```ts
   * const { messages, pagination } = await pushflo.getMessageHistory('orders:user-123', { pageSize: 50 });
   * ```
   */
  async getMessageHistory(channel: string, options: MessageHistoryOptions = {}): Promise<{ messages: Message[]; pagination: Pagination }> {
    assertChannelName(channel);
    const res = await this.rest.request<HistoryPage | { data: HistoryPage['items']; pagination: Pagination }>(
      'GET',
      `${path(channel)}/messages`,
      {
        query: {
          page: options.page,
          pageSize: options.pageSize ?? 25,
          eventType: options.eventType,
          after: options.after,
          before: options.before,
          order: options.order,
        },
      },
    );
    // `data: {items, pagination}` (the documented shape); brokers before Switchyard 0.2 answered `data: […]` with `pagination` beside it.
    const messages: Message[] = 'items' in res ? res.items : res.data;
    return { messages, pagination: res.pagination };
  }

  /**
   * Lists channels (management key).
   * @example
   * ```ts
   * const { channels } = await admin.listChannels({ pageSize: 100 });
   * ```
   */
  async listChannels(options: ListChannelsOptions = {}): Promise<{ channels: Channel[]; pagination: Pagination }> {
    const res = await this.console.request<{ data: Channel[]; pagination: Pagination }>('GET', '/channels', {
      query: { page: options.page, pageSize: options.pageSize ?? 25 },
    });
    return { channels: res.data, pagination: res.pagination };
  }

  /**
   * One channel (management key).
   * @example
   * ```ts
   * const channel = await admin.getChannel('live-scores');
   * ```
   */
  async getChannel(slug: string): Promise<Channel> {
    assertChannelName(slug);
    return this.console.request<Channel>('GET', path(slug));
  }

  /**
   * Creates a channel (management key). Channels are also created on first use.
   * @example
   * ```ts
   * await admin.createChannel({ name: 'Live scores', slug: 'live-scores' });
   * ```
   */
  async createChannel(input: ChannelInput): Promise<Channel> {
    assertChannelName(input.slug);
    return this.console.request<Channel>('POST', '/channels', { body: input });
  }

  /**
   * Updates a channel (management key).
   * @example
   * ```ts
   * await admin.updateChannel('live-scores', { description: 'Goals as they happen' });
   * ```
   */
  async updateChannel(slug: string, input: ChannelUpdateInput): Promise<Channel> {
    assertChannelName(slug);
    return this.console.request<Channel>('PATCH', path(slug), { body: input });
  }

  /**
   * Deletes a channel and its history (management key). Subscribers resuming
   * afterwards are told their history is gone (`onGap`, reason `epoch`).
   * @example
   * ```ts
   * await admin.deleteChannel('live-scores');
   * ```
   */
  async deleteChannel(slug: string): Promise<void> {
    assertChannelName(slug);
    await this.console.request<unknown>('DELETE', path(slug));
  }
}
