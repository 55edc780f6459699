/** Pick a name, then create a match or join an open one. */
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiProblem, saveCredentials, type Credentials, type LobbyMatch } from './api.ts';

const NAME_KEY = 'coin-rush:name';

export function Lobby({ invitedTo, onJoined }: { invitedTo: string | null; onJoined: (c: Credentials) => void }) {
  const [name, setName] = useState(() => localStorage.getItem(NAME_KEY) ?? '');
  const [matchName, setMatchName] = useState('');
  const [matches, setMatches] = useState<LobbyMatch[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let stop = false;
    const load = () =>
      api.matches().then(
        (list) => !stop && setMatches(list),
        () => undefined,
      );
    void load();
    const timer = setInterval(load, 3000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, []);

  async function join(matchId: string) {
    if (!name.trim()) {
      setProblem('Pick a name first.');
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      localStorage.setItem(NAME_KEY, name.trim());
      const { player, key } = await api.join(matchId, name.trim());
      const c: Credentials = { matchId, playerId: player.id, key, name: player.name };
      saveCredentials(c);
      onJoined(c);
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err.message : 'Could not join: try again.');
      setBusy(false);
    }
  }

  async function create(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) {
      setProblem('Pick a name first.');
      return;
    }
    try {
      const match = await api.createMatch(matchName.trim() || `${name.trim()}'s arena`);
      await join(match.id);
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err.message : 'Could not create the match.');
    }
  }

  return (
    <main className="lobby">
      <header className="lobby-hero">
        <div className="logo" aria-hidden>
          <span className="logo-coin" />
        </div>
        <div>
          <h1>Coin Rush</h1>
          <p>A real-time arena: grab more coins than everyone else before the clock runs out.</p>
        </div>
      </header>

      <section className="card">
        <label className="field">
          <span>Your name</span>
          <input data-testid="player-name" value={name} maxLength={24} placeholder="e.g. Ana" onChange={(e) => setName(e.target.value)} />
        </label>
        {invitedTo !== null && (
          <button type="button" className="primary wide" data-testid="join-invite" disabled={busy} onClick={() => void join(invitedTo)}>
            Join this match
          </button>
        )}
        <form className="create" onSubmit={create}>
          <input
            data-testid="match-name"
            value={matchName}
            maxLength={24}
            placeholder="Match name (optional)"
            onChange={(e) => setMatchName(e.target.value)}
          />
          <button className="primary" data-testid="create-match" disabled={busy} type="submit">
            New match
          </button>
        </form>
        {problem !== null && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
      </section>

      <section className="card">
        <h2>Open matches</h2>
        {matches === null ? (
          <p className="muted">Loading…</p>
        ) : matches.length === 0 ? (
          <p className="muted">No open matches: start one.</p>
        ) : (
          <ul className="matches" data-testid="matches">
            {matches.map((m) => (
              <li key={m.id} data-testid="match" data-match-id={m.id}>
                <div>
                  <strong>{m.name}</strong>
                  <span className="muted">
                    {m.players} {m.players === 1 ? 'player' : 'players'} · {Math.round(m.durationMs / 1000)} s
                  </span>
                </div>
                <span className={`pill ${m.status}`}>{m.status === 'waiting' ? 'In lobby' : 'Playing'}</span>
                <button type="button" data-testid="join" disabled={busy} onClick={() => void join(m.id)}>
                  Join
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <footer className="muted small">Move with the arrow keys or WASD, or click where to go.</footer>
    </main>
  );
}
