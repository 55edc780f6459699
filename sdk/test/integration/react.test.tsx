// @vitest-environment happy-dom
/**
 * React bindings in a DOM, against the real broker: mount, receive, StrictMode
 * double effects, unmount.
 */
import { StrictMode, useState } from 'react';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PushFloProvider, useChannel, useClientEvent, usePresence, usePushFlo } from '../../src/react.js';
import { PushFloServer } from '../../src/server.js';
import type { WebSocketConstructor } from '../../src/types.js';
import { PUB, SEC } from './support.js';

const baseUrl = inject('brokerUrl');
const server = new PushFloServer({ secretKey: SEC, baseUrl });
afterEach(cleanup);

/** The DOM's WebSocket, counting how many are open. */
const live = new Set<WebSocket>();
const Base = globalThis.WebSocket;
class CountingWebSocket extends Base {
  constructor(url: string | URL) {
    super(url);
    live.add(this);
    this.addEventListener('close', () => live.delete(this));
  }
}
const openSockets = () => [...live].filter((ws) => ws.readyState === Base.OPEN).length;

let n = 0;
const channel = () => `react:t-${Date.now().toString(36)}-${++n}`;

function Feed({ name, max }: { name: string; max?: number }) {
  const { messages, lastMessage, isSubscribed, connectionState } = useChannel(name, max === undefined ? {} : { maxMessages: max });
  return (
    <div>
      <p data-testid="state">{connectionState}</p>
      <p data-testid="subscribed">{String(isSubscribed)}</p>
      <p data-testid="last">{lastMessage ? String(lastMessage.content.i) : '-'}</p>
      <ul>
        {messages.map((m) => (
          <li key={m.id}>{String(m.content.i)}</li>
        ))}
      </ul>
    </div>
  );
}

function Status() {
  const { connectionState, isConnected, client } = usePushFlo();
  return (
    <p data-testid="status">
      {connectionState}/{String(isConnected)}/{client?.clientId ? 'id' : 'none'}
    </p>
  );
}

function App({ name, max }: { name: string; max?: number }) {
  return (
    <PushFloProvider publishKey={PUB} baseUrl={baseUrl} WebSocket={CountingWebSocket as unknown as WebSocketConstructor}>
      <Status />
      <Feed name={name} max={max} />
    </PushFloProvider>
  );
}

const items = () => screen.queryAllByRole('listitem').map((li) => li.textContent);

describe('React bindings', () => {
  it('mounts, subscribes, receives, and closes its socket on unmount', async () => {
    const name = channel();
    const view = render(<App name={name} />);
    await waitFor(() => expect(screen.getByTestId('subscribed').textContent).toBe('true'), { timeout: 15_000 });
    expect(screen.getByTestId('state').textContent).toBe('connected');
    expect(screen.getByTestId('status').textContent).toBe('connected/true/id');

    for (let i = 1; i <= 3; i++) await server.publish(name, { i });
    await waitFor(() => expect(items()).toEqual(['1', '2', '3']));
    expect(screen.getByTestId('last').textContent).toBe('3');

    view.unmount();
    await waitFor(() => expect(openSockets()).toBe(0));
  });

  it('under StrictMode keeps exactly one socket and delivers each message once', async () => {
    const name = channel();
    const view = render(
      <StrictMode>
        <App name={name} />
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId('subscribed').textContent).toBe('true'), { timeout: 15_000 });
    await waitFor(() => expect(openSockets()).toBe(1));
    for (let i = 1; i <= 4; i++) await server.publish(name, { i });
    await waitFor(() => expect(items()).toEqual(['1', '2', '3', '4']));
    // Nothing more arrives: no second subscription is delivering copies.
    await server.publish(name, { i: 5 });
    await waitFor(() => expect(items()).toEqual(['1', '2', '3', '4', '5']));
    act(() => view.unmount());
    await waitFor(() => expect(openSockets()).toBe(0));
  });

  it('keeps at most maxMessages, newest last', async () => {
    const name = channel();
    render(<App name={name} max={3} />);
    await waitFor(() => expect(screen.getByTestId('subscribed').textContent).toBe('true'), { timeout: 15_000 });
    for (let i = 1; i <= 5; i++) await server.publish(name, { i });
    await waitFor(() => expect(screen.getByTestId('last').textContent).toBe('5'));
    expect(items()).toEqual(['3', '4', '5']);
  });

  it('explains a hook used outside the provider', () => {
    const quiet = console.error;
    console.error = () => undefined; // React logs the thrown render error
    try {
      expect(() => render(<Feed name="x" />)).toThrow(/inside <PushFloProvider/);
    } finally {
      console.error = quiet;
    }
  });
});

function Room({ channel }: { channel: string }) {
  const { members } = usePresence(channel);
  const [typists, setTypists] = useState<string[]>([]);
  const { send } = useClientEvent(channel, 'user-typing', (e) => setTypists((t) => [...t, e.clientId]));
  return (
    <div>
      <p data-testid="members">
        {members
          .map((m) => String(m.data?.name))
          .sort()
          .join(',')}
      </p>
      <p data-testid="typing">{typists.join(',') || '-'}</p>
      <button type="button" onClick={() => send({ typing: true }, { echo: false, ephemeral: true })}>
        type
      </button>
    </div>
  );
}

function User({ id, channel }: { id: string; channel: string }) {
  return (
    <section data-testid={id}>
      <PushFloProvider
        baseUrl={baseUrl}
        authCallback={() =>
          server.createToken({ clientId: id, capabilities: { [channel]: ['subscribe', 'presence', 'publish'] }, info: { name: id } })
        }
      >
        <Room channel={channel} />
      </PushFloProvider>
    </section>
  );
}

describe('presence and client event hooks', () => {
  it('usePresence lists both users; useClientEvent sends typing to the other one only', async () => {
    const name = channel();
    render(
      <>
        <User id="ana" channel={name} />
        <User id="bob" channel={name} />
      </>,
    );
    const within = (id: string, testId: string) => screen.getByTestId(id).querySelector(`[data-testid="${testId}"]`)!.textContent;
    await waitFor(() => expect(within('ana', 'members')).toBe('ana,bob'), { timeout: 15_000 });
    await waitFor(() => expect(within('bob', 'members')).toBe('ana,bob'));
    act(() => screen.getByTestId('ana').querySelector('button')!.click());
    await waitFor(() => expect(within('bob', 'typing')).toBe('ana'));
    // The sentinel: bob types back only after he saw ana's event, so his passes the
    // channel after hers, and an echo of hers would reach ana before his.
    act(() => screen.getByTestId('bob').querySelector('button')!.click());
    await waitFor(() => expect(within('ana', 'typing')).not.toBe('-'));
    expect(within('ana', 'typing')).toBe('bob'); // echo off: the typist never saw herself
    expect(within('bob', 'typing')).toBe('ana');
  });
});
