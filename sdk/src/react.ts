'use client';
/** `@pushflodev/sdk/react`: a provider and hooks (client components: the entry starts with `"use client"`). */
export { PushFloProvider, type PushFloProviderProps } from './react/PushFloProvider.js';
export { useChannel, type UseChannelOptions, type UseChannelResult } from './react/useChannel.js';
export { usePushFlo, type UsePushFloResult } from './react/usePushFlo.js';
export { usePushFloContext, type PushFloContextValue } from './react/context.js';
export { usePresence, type UsePresenceResult } from './react/usePresence.js';
export { useClientEvent, type UseClientEventResult } from './react/useClientEvent.js';
export { PushFloError, ConnectionError, AuthenticationError, NetworkError, RateLimitError, ValidationError } from './errors.js';
export type {
  ConnectionState,
  Message,
  GapInfo,
  SubscriptionOptions,
  SubscribeSince,
  Subscription,
  PresenceMember,
  PresenceEvent,
  ClientEventOptions,
} from './types.js';
