import type { MatchState } from './game/match-state.ts';

/** Scores as the server decided them; players who left are dimmed. */
export function Scoreboard({ state }: { state: MatchState }) {
  const rows = state.scoreboard();
  return (
    <ol className="scoreboard" data-testid="scoreboard">
      {rows.map((p, i) => (
        <li key={p.id} data-testid="score" data-player-id={p.id} data-score={p.score} className={p.online ? '' : 'away'}>
          <span className="rank">{i + 1}</span>
          <span className="swatch" style={{ background: p.color }} />
          <span className="name">
            {p.name}
            {p.id === state.myId && <em> you</em>}
            {!p.online && <em> away</em>}
          </span>
          <span className="points">{p.score}</span>
        </li>
      ))}
    </ol>
  );
}
