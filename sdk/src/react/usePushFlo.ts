import type { PushFloClient } from '../client/PushFloClient.js';
import type { ConnectionState, Subscription, SubscriptionOptions, TransportName } from '../types.js';
import { usePushFloContext } from './context.js';

/** What `usePushFlo` returns. */
export interface UsePushFloResult {
  client: PushFloClient | null;
  connectionState: ConnectionState;
  /** The transport of the open connection (`websocket`, or `sse` where WebSockets are blocked); null while not connected. */
  transport: TransportName | null;
  isConnected: boolean;
  isConnecting: boolean;
  connect: () => Promise<void>;
  disconnect: () => void;
  subscribe: (channel: string, options?: SubscriptionOptions) => Subscription | null;
  unsubscribe: (channel: string) => void;
}

/**
 * The provider's client and its connection state.
 *
 * @example
 * ```tsx
 * function ConnectionBadge() {
 *   const { connectionState, transport, connect } = usePushFlo();
 *   return connectionState === 'error' ? <button onClick={connect}>Retry</button> : <span>{connectionState} {transport}</span>;
 * }
 * ```
 */
export function usePushFlo(): UsePushFloResult {
  const { client, connectionState, transport, connect, disconnect, subscribe, unsubscribe } = usePushFloContext();
  return {
    client,
    connectionState,
    transport,
    isConnected: connectionState === 'connected',
    isConnecting: connectionState === 'connecting',
    connect,
    disconnect,
    subscribe,
    unsubscribe,
  };
}
