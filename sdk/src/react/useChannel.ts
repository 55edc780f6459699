import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConnectionState, GapInfo, Message, SubscribeSince } from '../types.js';
import { usePushFloContext } from './context.js';

/** Options of `useChannel`. */
export interface UseChannelOptions {
  /** Called for each message, once, in order. */
  onMessage?: (message: Message) => void;
  /** Called for errors on this channel. */
  onError?: (error: Error) => void;
  /** Called when missed messages can't be replayed: refetch this channel's state. */
  onGap?: (gap: GapInfo) => void;
  /** Messages kept in `messages` (oldest dropped first). Default 100. */
  maxMessages?: number;
  /** Start after this position (a snapshot's seq) instead of the live head; read when the subscription opens. */
  since?: SubscribeSince;
}

/** What `useChannel` returns. */
export interface UseChannelResult {
  messages: Message[];
  lastMessage: Message | null;
  connectionState: ConnectionState;
  isSubscribed: boolean;
  clearMessages: () => void;
}

/**
 * Subscribes to a channel for as long as the component is mounted.
 *
 * @example
 * ```tsx
 * function OrderUpdates({ userId }: { userId: string }) {
 *   const { messages, connectionState } = useChannel(`orders:user-${userId}`, { maxMessages: 50 });
 *   return (
 *     <ul data-state={connectionState}>
 *       {messages.map((m) => <li key={m.id}>{m.eventType}</li>)}
 *     </ul>
 *   );
 * }
 * ```
 */
export function useChannel(channel: string, options: UseChannelOptions = {}): UseChannelResult {
  const { client, connectionState } = usePushFloContext();
  const [messages, setMessages] = useState<Message[]>([]);
  const [isSubscribed, setIsSubscribed] = useState(false);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const maxMessages = Math.max(1, options.maxMessages ?? 100);

  useEffect(() => {
    if (client === null || !channel) return;
    const since = optionsRef.current.since;
    const subscription = client.subscribe(channel, {
      ...(since !== undefined ? { since } : {}),
      onMessage: (message) => {
        setMessages((prev) => {
          const next = prev.length >= maxMessages ? prev.slice(prev.length - maxMessages + 1) : prev.slice();
          next.push(message);
          return next;
        });
        optionsRef.current.onMessage?.(message);
      },
      onError: (error) => optionsRef.current.onError?.(error),
      onGap: (gap) => optionsRef.current.onGap?.(gap),
      onSubscribed: () => setIsSubscribed(true),
      onUnsubscribed: () => setIsSubscribed(false),
    });
    return () => {
      subscription.unsubscribe();
      setIsSubscribed(false);
    };
  }, [client, channel, maxMessages]);

  // Losing the connection means the subscription is not live until it is confirmed again.
  useEffect(() => {
    if (connectionState !== 'connected') setIsSubscribed(false);
  }, [connectionState]);

  const clearMessages = useCallback(() => setMessages([]), []);
  return {
    messages,
    lastMessage: messages.length > 0 ? messages[messages.length - 1]! : null,
    connectionState,
    isSubscribed,
    clearMessages,
  };
}
