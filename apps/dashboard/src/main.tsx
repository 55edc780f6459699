/** Entry: learns the broker URL and keys from the app's server at runtime, then renders. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { AppConfig } from '../shared/types.ts';
import { App } from './App.tsx';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

async function start(): Promise<void> {
  const res = await fetch('/api/config', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config: HTTP ${res.status}`);
  const config = (await res.json()) as AppConfig;
  root.render(
    <StrictMode>
      <App config={config} />
    </StrictMode>,
  );
}

start().catch(() => root.render(<p className="fatal">The dashboard could not load its settings. Is the server running?</p>));
