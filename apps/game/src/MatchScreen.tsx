/**
 * A match: the broker's address comes from the game's server at runtime,
 * the player's token from its token function (minted per player).
 */
import { PushFloProvider } from '@pushflodev/sdk/react';
import { useCallback, useEffect, useState } from 'react';
import { api, type Credentials } from './api.ts';
import { MatchView } from './MatchView.tsx';

export function MatchScreen({ me, onLeave }: { me: Credentials; onLeave: () => void }) {
  const [baseUrl, setBaseUrl] = useState<string | null>(null);

  useEffect(() => {
    let stop = false;
    const load = () =>
      api.config().then(
        (c) => !stop && setBaseUrl(c.baseUrl),
        () => !stop && setTimeout(load, 1000),
      );
    void load();
    return () => {
      stop = true;
    };
  }, []);

  const authCallback = useCallback(() => api.token(me).then((t) => t.token), [me]);

  if (baseUrl === null) return <p className="loading">Loading the arena…</p>;
  return (
    // A game wants players back quickly: retry from 0.5 s, never wait more than 4 s.
    <PushFloProvider baseUrl={baseUrl} authCallback={authCallback} reconnectDelay={500} maxReconnectDelay={4000}>
      <MatchView me={me} onLeave={onLeave} />
    </PushFloProvider>
  );
}
