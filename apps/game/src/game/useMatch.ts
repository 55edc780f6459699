/**
 * The match state for one player: a snapshot from the game's function,
 * stamped with the channel's seq, then the live stream from exactly that
 * seq (`subscribe(…, {since})`), so nothing falls between the two. After a
 * socket drop the SDK resumes from the last seq by itself; if history can't
 * cover the outage (`onGap`), the snapshot is fetched again.
 */
import { usePushFloContext } from '@pushflodev/sdk/react';
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { CHANNEL } from '../../shared/events.ts';
import { api } from '../api.ts';
import { MatchState } from './match-state.ts';

export function useMatch(matchId: string, myId: string): MatchState {
  const { client } = usePushFloContext();
  const state = useMemo(() => new MatchState(myId), [myId]);
  useSyncExternalStore(state.subscribe, state.getVersion);

  useEffect(() => {
    if (client === null) return;
    const channel = CHANNEL(matchId);
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe: (() => void) | null = null;

    const loadSnapshot = async () => {
      const snap = await api.snapshot(matchId);
      if (!stopped) state.applySnapshot(snap);
      return snap;
    };

    const start = () => {
      loadSnapshot().then(
        (snap) => {
          if (stopped) return;
          const sub = client.subscribe(channel, {
            since: { seq: snap.seq },
            onMessage: (m) => state.applyMessage(m),
            onPresence: (members) => state.setOnline(members.map((m) => m.clientId)),
            onGap: () => void loadSnapshot().catch(() => undefined),
          });
          unsubscribe = sub.unsubscribe;
          state.setOnline(client.presence(channel).map((m) => m.clientId));
        },
        () => {
          if (!stopped) retry = setTimeout(start, 1000);
        },
      );
    };
    start();
    return () => {
      stopped = true;
      clearTimeout(retry);
      unsubscribe?.();
    };
  }, [client, matchId, state]);

  return state;
}
