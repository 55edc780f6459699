/**
 * `@pushflodev/sdk`: the browser client. Server: `@pushflodev/sdk/server`;
 * React: `@pushflodev/sdk/react`.
 */
export { PushFloClient, MAX_QUEUED_EVENTS, type ClientEvents } from './client/PushFloClient.js';
export { DEFAULT_BASE_URL } from './constants.js';
export {
  PushFloError,
  ConnectionError,
  AuthenticationError,
  NetworkError,
  RateLimitError,
  ValidationError,
  ClientErrorCode,
} from './errors.js';
export {
  isValidChannelSlug,
  isValidChannelName,
  toChannelSlug,
  validateChannelSlug,
  MAX_SLUG_LENGTH,
  MIN_SLUG_LENGTH,
  MAX_CHANNEL_NAME_LENGTH,
  type SlugValidationResult,
} from './validation.js';
export { CloseCode, ErrorCode, isTerminalClose, PROTOCOL_VERSION, MAX_MESSAGE_BYTES } from './protocol/index.js';
export type {
  ConnectionState,
  ClientOptions,
  ServerOptions,
  ConnectionInfo,
  Channel,
  ChannelInput,
  ChannelUpdateInput,
  ListChannelsOptions,
  Message,
  PublishOptions,
  PublishResult,
  MessageHistoryOptions,
  Subscription,
  SubscriptionOptions,
  SubscribeSince,
  GapInfo,
  Pagination,
  PresenceEvent,
  PresenceMember,
  Capability,
  ClientEventOptions,
  BatchMessage,
  TokenOptions,
  Clock,
  WebSocketConstructor,
  EventSourceConstructor,
  TransportName,
  TransportOption,
} from './types.js';
