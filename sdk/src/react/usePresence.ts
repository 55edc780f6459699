import { useEffect, useState } from 'react';
import type { PresenceMember } from '../types.js';
import { usePushFloContext } from './context.js';

/** What `usePresence` returns. */
export interface UsePresenceResult {
  /** Members now (one per client id, however many tabs), with their `info`. */
  members: PresenceMember[];
  count: number;
  isSubscribed: boolean;
}

/**
 * Who is on a channel now. Needs a token granting `presence` on it.
 *
 * @example
 * ```tsx
 * function Online({ roomId }: { roomId: string }) {
 *   const { members } = usePresence(`chat:room-${roomId}`);
 *   return <p>{members.map((m) => String(m.data?.name ?? m.clientId)).join(', ')} online</p>;
 * }
 * ```
 */
export function usePresence(channel: string): UsePresenceResult {
  const { client } = usePushFloContext();
  const [members, setMembers] = useState<PresenceMember[]>([]);
  const [isSubscribed, setIsSubscribed] = useState(false);
  useEffect(() => {
    if (client === null || !channel) return;
    setMembers(client.presence(channel));
    const sub = client.subscribe(channel, {
      onPresence: (next) => setMembers(next),
      onSubscribed: () => setIsSubscribed(true),
      onUnsubscribed: () => setIsSubscribed(false),
    });
    return () => {
      sub.unsubscribe();
      setIsSubscribed(false);
      setMembers([]);
    };
  }, [client, channel]);
  return { members, count: members.length, isSubscribed };
}
