import { createContext, useContext } from 'react';
import type { PushFloClient } from '../client/PushFloClient.js';
import type { ConnectionState, Subscription, SubscriptionOptions, TransportName } from '../types.js';

/** What `PushFloProvider` shares with the hooks below it. */
export interface PushFloContextValue {
  client: PushFloClient | null;
  connectionState: ConnectionState;
  /** The transport of the open connection (`websocket` or `sse`); null while not connected. */
  transport: TransportName | null;
  connect: () => Promise<void>;
  disconnect: () => void;
  subscribe: (channel: string, options?: SubscriptionOptions) => Subscription | null;
  unsubscribe: (channel: string) => void;
}

export const PushFloContext = createContext<PushFloContextValue | null>(null);

/**
 * The provider's context; throws a clear error outside a provider.
 * @example
 * ```tsx
 * const { client } = usePushFloContext();
 * ```
 */
export function usePushFloContext(): PushFloContextValue {
  const value = useContext(PushFloContext);
  if (value === null) throw new Error('PushFlo hooks must be used inside <PushFloProvider publishKey=… baseUrl=…>');
  return value;
}
