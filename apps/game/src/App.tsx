/** Lobby or match, from the URL (`?match=<id>`), so a match link can be shared and a reload rejoins. */
import { useEffect, useState } from 'react';
import { savedCredentials, type Credentials } from './api.ts';
import { Lobby } from './Lobby.tsx';
import { MatchScreen } from './MatchScreen.tsx';

function matchFromUrl(): string | null {
  return new URLSearchParams(location.search).get('match');
}

export function App() {
  const [matchId, setMatchId] = useState(matchFromUrl);
  const [me, setMe] = useState<Credentials | null>(() => (matchId === null ? null : savedCredentials(matchId)));

  useEffect(() => {
    const onPop = () => {
      const id = matchFromUrl();
      setMatchId(id);
      setMe(id === null ? null : savedCredentials(id));
    };
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const enter = (c: Credentials) => {
    history.pushState(null, '', `?match=${encodeURIComponent(c.matchId)}`);
    setMatchId(c.matchId);
    setMe(c);
  };
  const leave = () => {
    history.pushState(null, '', location.pathname);
    setMatchId(null);
    setMe(null);
  };

  if (me !== null) return <MatchScreen me={me} onLeave={leave} />;
  return <Lobby invitedTo={matchId} onJoined={enter} />;
}
