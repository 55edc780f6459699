/**
 * Typing indicators as client events on the room's channel: sent over the
 * socket (no server round trip), at most one every 2 s while typing,
 * ephemeral (never in history) and never echoed to the typist. Others show a
 * typist until 3 s after their last event, or until their message arrives.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClientEvent, usePushFlo } from '@pushflodev/sdk/react';
import type { PresenceMember } from '@pushflodev/sdk';
import { EVENTS, roomChannel, type ChatMessage } from '../../shared/rules.ts';

export const TYPING_THROTTLE_MS = 2_000;
export const TYPING_EXPIRES_MS = 3_000;

interface Typist {
  name: string;
  /** When this typing streak was first seen (ms). */
  since: number;
  until: number;
}

export interface TypingState {
  /** The others typing now, in the order they started: client id, name, and when their streak was first seen (ms). */
  typists: Array<{ id: string; name: string; since: number }>;
  /** Call on every keystroke; sends at most one event every 2 s. */
  typing: () => void;
  /** Call when the message is sent: drops a typing event still waiting to go out. */
  stop: () => void;
}

export function useTyping(roomId: string, me: { id: string; name: string }, members: PresenceMember[], lines: ChatMessage[]): TypingState {
  const { connectionState } = usePushFlo();
  const [typists, setTypists] = useState<Record<string, Typist>>({});
  const membersRef = useRef(members);
  membersRef.current = members;

  const { send } = useClientEvent(roomChannel(roomId), EVENTS.userTyping, (m) => {
    if (m.clientId === me.id || m.clientId === '') return; // never show the typist (other tabs included)
    // The name the server signed into the sender's token wins over what the event says.
    const signed = membersRef.current.find((p) => p.clientId === m.clientId)?.data?.name;
    const name = String(signed ?? m.content.name ?? 'Someone').slice(0, 32);
    const now = Date.now();
    setTypists((t) => ({ ...t, [m.clientId]: { name, since: t[m.clientId]?.since ?? now, until: now + TYPING_EXPIRES_MS } }));
  });

  // Expire each typist 3 s after their last event.
  useEffect(() => {
    const untils = Object.values(typists).map((t) => t.until);
    if (untils.length === 0) return;
    const timer = setTimeout(
      () => setTypists((t) => Object.fromEntries(Object.entries(t).filter(([, v]) => v.until > Date.now()))),
      Math.max(0, Math.min(...untils) - Date.now()) + 20,
    );
    return () => clearTimeout(timer);
  }, [typists]);

  // A message from a typist ends their typing.
  const last = lines.at(-1);
  useEffect(() => {
    if (last === undefined) return;
    setTypists((t) => {
      if (!(last.userId in t)) return t;
      const { [last.userId]: _gone, ...rest } = t;
      return rest;
    });
  }, [last]);

  // Throttle with a trailing edge: the first keystroke is sent at once, later ones at most every 2 s,
  // and a keystroke inside the window is sent when the window ends (so typing soon after a send still shows).
  const lastSent = useRef(0);
  const trailing = useRef<ReturnType<typeof setTimeout> | null>(null);
  const connected = useRef(connectionState === 'connected');
  connected.current = connectionState === 'connected';
  const emit = useCallback(() => {
    if (!connected.current) return; // a stale "typing" must not be queued for later
    lastSent.current = Date.now();
    try {
      send({ name: me.name }, { echo: false, ephemeral: true });
    } catch {
      // rate-limited or full queue: a typing hint is not worth an error
    }
  }, [send, me.name]);
  const stop = useCallback(() => {
    if (trailing.current !== null) clearTimeout(trailing.current);
    trailing.current = null;
  }, []);
  const typing = useCallback(() => {
    const wait = lastSent.current + TYPING_THROTTLE_MS - Date.now();
    if (wait <= 0) {
      stop();
      emit();
    } else if (trailing.current === null) {
      trailing.current = setTimeout(() => {
        trailing.current = null;
        emit();
      }, wait);
    }
  }, [emit, stop]);
  useEffect(() => stop, [stop]);

  return { typists: Object.entries(typists).map(([id, t]) => ({ id, name: t.name, since: t.since })), typing, stop };
}
