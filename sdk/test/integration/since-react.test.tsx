// @vitest-environment happy-dom
/** useChannel({since}) in a DOM against the real broker: a snapshot's seq, then exactly what came after it. */
import { StrictMode } from 'react';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PushFloProvider, useChannel } from '../../src/react.js';
import { PushFloServer } from '../../src/server.js';
import { PUB, SEC } from './support.js';

const baseUrl = inject('brokerUrl');
const server = new PushFloServer({ secretKey: SEC, baseUrl });
afterEach(cleanup);

function Feed({ name, since }: { name: string; since: number }) {
  const { messages } = useChannel(name, { since: { seq: since } });
  return <p data-testid="seqs">{messages.map((m) => m.seq).join(',')}</p>;
}

describe('useChannel since', () => {
  it('delivers the messages after the snapshot seq, then live ones, under StrictMode', async () => {
    const name = `react:since-${Date.now().toString(36)}`;
    for (let i = 1; i <= 4; i++) await server.publish(name, { i });
    render(
      <StrictMode>
        <PushFloProvider publishKey={PUB} baseUrl={baseUrl}>
          <Feed name={name} since={2} />
        </PushFloProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId('seqs').textContent).toBe('3,4'), { timeout: 10_000 });
    await server.publish(name, { i: 5 });
    await waitFor(() => expect(screen.getByTestId('seqs').textContent).toBe('3,4,5'), { timeout: 10_000 });
  });
});
