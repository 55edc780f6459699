/** Dev-grade sign-in: a display name is all it takes (see README). */
import { useState, type FormEvent } from 'react';
import { nameProblem } from '../../shared/rules.ts';
import { api, type User } from '../api.ts';

export function SignIn({ onSignedIn }: { onSignedIn: (s: { user: User; brokerUrl: string }) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    // Read the field itself (not React state): autofill and automation fill it without the events React relies on.
    const name = String(new FormData(e.currentTarget).get('name') ?? '');
    const problem = nameProblem(name);
    if (problem !== null) return setError(problem.error);
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.signIn(name));
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit}>
        <div className="brand large">
          <span className="logo" aria-hidden="true" />
          Huddle
        </div>
        <p className="muted">Team chat with live typing, presence and history.</p>
        <label htmlFor="name">Display name</label>
        {/* biome-ignore lint/a11y/noAutofocus: the sign-in screen exists for this one field, which comes first; focusing it on load skips nothing. */}
        <input id="name" name="name" autoFocus autoComplete="nickname" placeholder="e.g. Ana Lima" maxLength={64} />
        {error !== null && (
          <p className="form-error" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Join the team'}
        </button>
        <p className="fineprint">Demo sign-in: anyone can use any name. A real app would use its own login.</p>
      </form>
    </main>
  );
}
