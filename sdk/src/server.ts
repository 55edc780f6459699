/** `@pushflodev/sdk/server`: publish, history and channel management from your backend. */
export { PushFloServer } from './server/PushFloServer.js';
export { PushFloError, AuthenticationError, NetworkError, RateLimitError, ValidationError } from './errors.js';
export {
  isValidChannelSlug,
  isValidChannelName,
  toChannelSlug,
  validateChannelSlug,
  MIN_SLUG_LENGTH,
  MAX_SLUG_LENGTH,
  MAX_CHANNEL_NAME_LENGTH,
  type SlugValidationResult,
} from './validation.js';
export type {
  ServerOptions,
  Channel,
  ChannelInput,
  ChannelUpdateInput,
  ListChannelsOptions,
  Message,
  PublishOptions,
  PublishResult,
  MessageHistoryOptions,
  Pagination,
  BatchMessage,
  TokenOptions,
  Capability,
} from './types.js';
export * from './server/webhooks.js';
