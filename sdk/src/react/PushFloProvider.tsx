import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { PushFloClient } from '../client/PushFloClient.js';
import type { ClientOptions, ConnectionState, SubscriptionOptions, TransportName } from '../types.js';
import { PushFloContext, type PushFloContextValue } from './context.js';

/** Props of `PushFloProvider`: the client options, plus `autoConnect` (default true). */
export interface PushFloProviderProps extends Omit<ClientOptions, 'autoConnect'> {
  children?: ReactNode;
  /** Connect on mount. Default true. */
  autoConnect?: boolean;
}

/**
 * Creates one client for the tree below it, connects on mount and closes the
 * socket on unmount. Safe under StrictMode (double effects leave one socket).
 *
 * @example
 * ```tsx
 * <PushFloProvider publishKey="pub_local_dev" baseUrl="http://127.0.0.1:8787">
 *   <App />
 * </PushFloProvider>
 * ```
 */
export function PushFloProvider({
  children,
  autoConnect = true,
  authCallback,
  authHeaders,
  WebSocket,
  EventSource,
  fetch,
  clock,
  random,
  ...plain
}: PushFloProviderProps) {
  // Inline callbacks and header objects change identity every render: read them through refs
  // so that they do not recreate the client (and its socket).
  const authCallbackRef = useRef(authCallback);
  authCallbackRef.current = authCallback;
  const authHeadersRef = useRef(authHeaders);
  authHeadersRef.current = authHeaders;
  const hasAuthCallback = authCallback !== undefined;
  // The remaining options are plain values: a new client only when one of them changes.
  const plainKey = JSON.stringify(plain);
  // Creating a client has no side effects (no socket until connect), so this is safe to run twice.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `plain` is a new rest object every render; it is captured by value through plainKey (its JSON), so the client is recreated only when an option's value changes.
  const client = useMemo(
    () =>
      new PushFloClient({
        ...plain,
        WebSocket,
        EventSource,
        fetch,
        clock,
        random,
        authHeaders: authHeadersRef.current,
        authCallback: hasAuthCallback ? () => authCallbackRef.current!() : undefined,
        autoConnect: false,
      }),
    [plainKey, hasAuthCallback, WebSocket, EventSource, fetch, clock, random],
  );
  const [connectionState, setConnectionState] = useState<ConnectionState>(client.connectionState);
  const [transport, setTransport] = useState<TransportName | null>(client.transport);

  useEffect(() => {
    setConnectionState(client.connectionState);
    setTransport(client.transport);
    const off = client.onConnectionChange((state) => {
      setConnectionState(state);
      setTransport(client.transport);
    });
    if (autoConnect) client.connect().catch(() => undefined); // state and the `error` event report failures
    return () => {
      off();
      client.disconnect();
    };
  }, [client, autoConnect]);

  const connect = useCallback(() => client.connect(), [client]);
  const disconnect = useCallback(() => client.disconnect(), [client]);
  const subscribe = useCallback((channel: string, opts?: SubscriptionOptions) => client.subscribe(channel, opts), [client]);
  const unsubscribe = useCallback((channel: string) => client.unsubscribe(channel), [client]);

  const value = useMemo<PushFloContextValue>(
    () => ({ client, connectionState, transport, connect, disconnect, subscribe, unsubscribe }),
    [client, connectionState, transport, connect, disconnect, subscribe, unsubscribe],
  );
  return <PushFloContext.Provider value={value}>{children}</PushFloContext.Provider>;
}
