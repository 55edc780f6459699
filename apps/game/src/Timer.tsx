import { useEffect, useState } from 'react';
import type { MatchState } from './game/match-state.ts';

/** Time left, by the server's clock; ticks a few times a second. */
export function Timer({ state }: { state: MatchState }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 250);
    return () => clearInterval(t);
  }, []);
  const left = state.remainingMs();
  const status = state.match?.status ?? 'waiting';
  const seconds = left === null ? Math.round((state.match?.durationMs ?? 0) / 1000) : Math.ceil(left / 1000);
  const text = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  return (
    <div
      className={`timer ${status} ${left !== null && left < 10_000 && status === 'playing' ? 'hurry' : ''}`}
      data-testid="timer"
      data-status={status}
    >
      <span className="label">{status === 'waiting' ? 'Match length' : status === 'ended' ? 'Final' : 'Time left'}</span>
      <span className="value">{status === 'ended' ? '0:00' : text}</span>
    </div>
  );
}
