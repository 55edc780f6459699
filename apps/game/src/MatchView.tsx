/** A match in progress: the arena, the HUD (timer, scores, connection) and the start / result overlays. */
import { usePushFloContext } from '@pushflodev/sdk/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { CHANNEL } from '../shared/events.ts';
import { api, ApiProblem, type Credentials } from './api.ts';
import { ConnectionBadge } from './ConnectionBadge.tsx';
import { ArenaCanvas } from './game/ArenaCanvas.tsx';
import { LocalPlayer } from './game/local-player.ts';
import { exposeForTests } from './game/test-hooks.ts';
import { useMatch } from './game/useMatch.ts';
import { Scoreboard } from './Scoreboard.tsx';
import { Timer } from './Timer.tsx';

export function MatchView({ me, onLeave }: { me: Credentials; onLeave: () => void }) {
  const { client, connectionState } = usePushFloContext();
  const state = useMatch(me.matchId, me.playerId);
  const connection = useRef(connectionState);
  connection.current = connectionState;
  const [problem, setProblem] = useState<string | null>(null);

  const local = useMemo(
    () =>
      new LocalPlayer({
        state,
        publishMove: (move) => {
          // Moves are only worth sending live: never queue them while disconnected.
          if (client?.connectionState === 'connected')
            client.publish(CHANNEL(me.matchId), 'player-moved', { ...move }, { echo: false, ephemeral: true });
        },
        reportPosition: (p) => api.position(me, p.x, p.y),
        claim: (coinId, p) => api.claim(me, coinId, p.x, p.y).then(() => undefined),
      }),
    [state, client, me],
  );

  useEffect(() => exposeForTests(local, () => connection.current), [local]);

  // When the clock runs out, ask for the result (the first such call publishes `game-ended`).
  const status = state.match?.status;
  useEffect(() => {
    if (status !== 'playing' && status !== 'ended') return;
    const t = setInterval(() => {
      if (state.result === null && state.remainingMs() === 0) void api.finish(me.matchId).catch(() => undefined);
    }, 1000);
    return () => clearInterval(t);
  }, [status, state, me.matchId]);

  async function start() {
    setProblem(null);
    try {
      await api.start(me);
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err.message : 'Could not start the match.');
    }
  }

  const match = state.match;
  const winners = state.result?.winners ?? [];
  return (
    <div className="match" data-testid="match" data-status={match?.status ?? 'loading'}>
      <header className="topbar">
        <button type="button" className="ghost" onClick={onLeave} aria-label="Back to the lobby">
          ← Lobby
        </button>
        <div className="title">
          <span className="logo-coin small" />
          <strong>Coin Rush</strong>
          <span className="muted">{match?.name ?? '…'}</span>
        </div>
        <ConnectionBadge state={connectionState} onRetry={() => void client?.connect().catch(() => undefined)} />
      </header>

      <div className="stage">
        <div className="arena-wrap">
          <ArenaCanvas bridge={local} />
          {match?.status === 'waiting' && (
            <div className="overlay">
              <div className="overlay-card">
                <h2>Waiting for players</h2>
                <p className="muted">{state.players.size} in the arena. Share this page&apos;s link to invite friends; anyone can start.</p>
                <button type="button" className="primary" data-testid="start" onClick={() => void start()}>
                  Start match
                </button>
                {problem !== null && <p className="problem">{problem}</p>}
              </div>
            </div>
          )}
          {state.result !== null && (
            <div className="overlay" data-testid="result">
              <div className="overlay-card">
                <h2 data-testid="winner">
                  {winners.length === 0
                    ? 'Nobody scored'
                    : winners.length > 1
                      ? 'A tie!'
                      : `${state.players.get(winners[0]!)?.name ?? 'Someone'} wins!`}
                </h2>
                {state.result.abandoned === true && (
                  <p className="muted" data-testid="abandoned">
                    Everyone left, so the match ended early.
                  </p>
                )}
                <ol className="final">
                  {state.result.scores.map((s) => (
                    <li key={s.playerId} data-testid="final-score" data-player-id={s.playerId} data-score={s.score}>
                      <span>{s.name}</span>
                      <strong>{s.score}</strong>
                    </li>
                  ))}
                </ol>
                <button type="button" className="primary" onClick={onLeave}>
                  Back to the lobby
                </button>
              </div>
            </div>
          )}
        </div>

        <aside className="hud">
          <Timer state={state} />
          <h3>Scoreboard</h3>
          <Scoreboard state={state} />
          <div className="help muted small">
            <p>
              <kbd>←</kbd> <kbd>↑</kbd> <kbd>→</kbd> <kbd>↓</kbd> or <kbd>W</kbd> <kbd>A</kbd> <kbd>S</kbd> <kbd>D</kbd> to move, or click
              where to go.
            </p>
            <p>Coins score when the server confirms your pickup.</p>
          </div>
        </aside>
      </div>
    </div>
  );
}
