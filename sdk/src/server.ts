/** `@pushflodev/sdk/server`: publish, history and channel management from your backend. */
export { PushFloServer } from './server/PushFloServer.js';
export { PushFloError, AuthenticationError, NetworkError, ValidationError } from './errors.js';
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
