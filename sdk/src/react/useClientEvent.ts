import { useCallback, useEffect, useRef, useState } from 'react';
import type { ClientEventOptions, Message } from '../types.js';
import { usePushFloContext } from './context.js';

/** What `useClientEvent` returns. */
export interface UseClientEventResult {
  /** Publishes this event on the channel over the socket. */
  send: (data: Record<string, unknown>, options?: ClientEventOptions) => void;
  /** The last such event received (including from other clients). */
  lastEvent: Message | null;
}

/**
 * Sends and receives one client event type on a channel: typing indicators,
 * cursor or player moves. Sending needs a token granting `publish`.
 *
 * @example
 * ```tsx
 * function Typing({ roomId, me }: { roomId: string; me: string }) {
 *   const { send } = useClientEvent(`chat:room-${roomId}`, 'user-typing', (e) => showTyping(e.clientId));
 *   return <input onChange={() => send({ typing: true }, { echo: false, ephemeral: true })} />;
 * }
 * ```
 */
export function useClientEvent(channel: string, event: string, onEvent?: (message: Message) => void): UseClientEventResult {
  const { client } = usePushFloContext();
  const [lastEvent, setLastEvent] = useState<Message | null>(null);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (client === null || !channel) return;
    const sub = client.subscribe(channel, {
      onMessage: (m) => {
        if (m.eventType !== event) return;
        setLastEvent(m);
        handler.current?.(m);
      },
    });
    return () => sub.unsubscribe();
  }, [client, channel, event]);
  const send = useCallback(
    (data: Record<string, unknown>, options?: ClientEventOptions) => {
      if (client === null) throw new Error('useClientEvent: no client (is it inside <PushFloProvider>?)');
      client.publish(channel, event, data, options);
    },
    [client, channel, event],
  );
  return { send, lastEvent };
}
