import { typingText } from '../format.ts';

/**
 * "Ana is typing…" under the messages; keeps its height when empty so nothing
 * jumps. `data-typists` (client id → first seen, ms) is for latency checks.
 */
export function TypingIndicator({ typists }: { typists: Array<{ id: string; name: string; since: number }> }) {
  return (
    <div
      className="typing"
      data-testid="typing"
      data-count={typists.length}
      data-typists={JSON.stringify(Object.fromEntries(typists.map((t) => [t.id, t.since])))}
      aria-live="polite"
    >
      {typists.length > 0 && (
        <>
          <span className="dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {typingText(typists.map((t) => t.name))}
        </>
      )}
    </div>
  );
}
