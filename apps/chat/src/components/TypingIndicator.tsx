import { typingText } from '../format.ts';

/** "Ana is typing…" under the messages; keeps its height when empty so nothing jumps. */
export function TypingIndicator({ names, shownAt }: { names: string[]; shownAt: number | null }) {
  return (
    <div className="typing" data-testid="typing" data-count={names.length} data-shown-at={shownAt ?? undefined} aria-live="polite">
      {names.length > 0 && (
        <>
          <span className="dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {typingText(names)}
        </>
      )}
    </div>
  );
}
