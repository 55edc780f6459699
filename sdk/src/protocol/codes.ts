/**
 * Stable error codes. Every error the broker returns, over HTTP (`code` in the
 * JSON body) or over a socket (`code` in an `error` frame), uses one of these.
 * Clients may switch on them; they never change meaning.
 */
export const ErrorCode = {
  /** Missing, unknown or malformed key/token. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** Kept for the public client's sake; Switchyard answers the three codes below. */
  INVALID_TOKEN: 'INVALID_TOKEN',
  /** A token that is not a well-formed JWT with valid claims. */
  TOKEN_MALFORMED: 'TOKEN_MALFORMED',
  /** A token whose signature does not verify (forged, or signed with another key). */
  TOKEN_INVALID_SIGNATURE: 'TOKEN_INVALID_SIGNATURE',
  /** A token past its expiry; get a fresh one and reconnect (or send `auth`). */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** `POST /auth/token`: the `publishKey` is unknown, or is not a publish (`pub_`) key. */
  INVALID_PUBLISH_KEY: 'INVALID_PUBLISH_KEY',
  /** The key is valid but may not do this (e.g. publishing with a `pub_` key). */
  FORBIDDEN: 'FORBIDDEN',
  /** No keys are configured and dev keys are off. */
  NOT_CONFIGURED: 'NOT_CONFIGURED',
  /** A body or frame that is not valid JSON. */
  INVALID_JSON: 'INVALID_JSON',
  /** A JSON frame of the wrong shape. */
  INVALID_FRAME: 'INVALID_FRAME',
  /** A frame whose `type` the broker does not know. */
  UNKNOWN_FRAME_TYPE: 'UNKNOWN_FRAME_TYPE',
  /** A request body of the wrong shape. */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** A channel name that is neither a slug nor the `namespace:name` form. */
  INVALID_CHANNEL: 'INVALID_CHANNEL',
  /** Message content that is not a JSON object. */
  INVALID_CONTENT: 'INVALID_CONTENT',
  /** An event type that is empty, too long or has odd characters. */
  INVALID_EVENT_TYPE: 'INVALID_EVENT_TYPE',
  /** A query parameter out of range. */
  INVALID_QUERY: 'INVALID_QUERY',
  /** Message content over the 32 KB limit. */
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  /** A request body over the limit. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A socket frame over the limit. */
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  /** One socket holds too many subscriptions. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  /** Over a rate limit: socket frames or client events per socket (the frame was not processed), or API publishes per key (HTTP 429 with Retry-After). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The client asked for a protocol version this broker does not speak. */
  UNSUPPORTED_PROTOCOL: 'UNSUPPORTED_PROTOCOL',
  /** The broker could not complete a subscription; retry it. */
  SUBSCRIBE_FAILED: 'SUBSCRIBE_FAILED',
  /** The broker could not store or send a client event; retry it. */
  PUBLISH_FAILED: 'PUBLISH_FAILED',
  /** Channel management: the slug is taken. */
  CHANNEL_EXISTS: 'CHANNEL_EXISTS',
  /** Channel management: no such channel. */
  CHANNEL_NOT_FOUND: 'CHANNEL_NOT_FOUND',
  /** `POST /sse/frames`: no open SSE stream has this connection id (it ended: reconnect). */
  CONNECTION_NOT_FOUND: 'CONNECTION_NOT_FOUND',
  /** `GET /sse`: a `Last-Event-ID` / `lastEventId` that is not a cursor this broker wrote. */
  INVALID_CURSOR: 'INVALID_CURSOR',
  /** `/ws`, `/sse`: the page's `Origin` is not in the broker's `ALLOWED_ORIGINS` (HTTP 403, before any upgrade). */
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  /** No such route. */
  NOT_FOUND: 'NOT_FOUND',
  /** Something went wrong inside the broker; no details are exposed. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
