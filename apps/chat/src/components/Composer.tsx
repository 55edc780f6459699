/**
 * The message box. Enter sends, Shift+Enter adds a line. Empty and
 * over-long messages are refused here with the same words the API uses;
 * every keystroke feeds the (throttled) typing indicator.
 *
 * The textarea is uncontrolled and read directly: what the user sees is what
 * gets sent, whatever filled it (autofill, IME, automation), and a re-render
 * never overwrites a draft.
 */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { charCount, MAX_MESSAGE_CHARS, messageProblem } from '../../shared/rules.ts';

interface Props {
  roomName: string;
  onSend: (text: string) => void;
  onTyping: () => void;
}

export function Composer({ roomName, onSend, onTyping }: Props) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const onTypingRef = useRef(onTyping);
  onTypingRef.current = onTyping;
  const count = charCount(draft.trim());

  // Every edit: remember the draft (for the counter and the Send button) and signal typing.
  useEffect(() => {
    const el = box.current!;
    const onInput = () => {
      setDraft(el.value);
      setError(null);
      if (el.value.trim() !== '') onTypingRef.current();
    };
    el.addEventListener('input', onInput);
    return () => el.removeEventListener('input', onInput);
  }, []);

  function submit(e?: FormEvent) {
    e?.preventDefault();
    const el = box.current!;
    const problem = messageProblem(el.value);
    if (problem !== null) {
      setDraft(el.value);
      setError(problem.error);
      return;
    }
    const text = el.value;
    el.value = '';
    setDraft('');
    setError(null);
    onSend(text);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      <div className={`composer-box${error !== null ? ' invalid' : ''}`}>
        <textarea
          ref={box}
          data-testid="composer"
          aria-label={`Message #${roomName}`}
          placeholder={`Message #${roomName}`}
          rows={1}
          defaultValue=""
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="send" data-testid="send" disabled={draft.trim() === ''} aria-label="Send">
          <svg
            width="18"
            height="18"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            strokeWidth="2.2"
            strokeLinecap="round"
            strokeLinejoin="round"
            aria-hidden="true"
          >
            <path d="M22 2 11 13" />
            <path d="M22 2 15 22l-4-9-9-4 20-7z" />
          </svg>
        </button>
      </div>
      <div className="composer-foot">
        {error !== null ? (
          <span className="form-error" role="alert" data-testid="composer-error">
            {error}
          </span>
        ) : (
          <span className="hint muted">
            <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
          </span>
        )}
        {count > MAX_MESSAGE_CHARS - 200 && (
          <span className={`counter${count > MAX_MESSAGE_CHARS ? ' over' : ''}`} data-testid="counter">
            {count} / {MAX_MESSAGE_CHARS}
          </span>
        )}
      </div>
    </form>
  );
}
