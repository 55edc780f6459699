/** Signed out: the sign-in card. Signed in: the chat, connected to the broker the server names. */
import { useEffect, useState } from 'react';
import { api, type User } from './api.ts';
import { ChatApp } from './components/ChatApp.tsx';
import { SignIn } from './components/SignIn.tsx';

export function App() {
  const [session, setSession] = useState<{ user: User | null; brokerUrl: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.session().then(setSession, (err: Error) => setError(err.message));
  }, []);

  if (error !== null) return <p className="fatal">{error}</p>;
  if (session === null) return <div className="splash" aria-busy="true" />;
  if (session.user === null) return <SignIn onSignedIn={setSession} />;
  return (
    <ChatApp
      key={session.user.id}
      user={session.user}
      brokerUrl={session.brokerUrl}
      onSignOut={() => void api.signOut().then(() => setSession({ user: null, brokerUrl: session.brokerUrl }))}
    />
  );
}
