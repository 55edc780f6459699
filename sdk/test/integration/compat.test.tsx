// @vitest-environment happy-dom
/** The documented public-SDK usage (test/compat/public-examples.tsx), run against the real broker. */
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  App,
  browserQuickStart,
  channelManagement,
  errorHandling,
  history,
  reactErrorsAreTheSame,
  serverQuickStart,
  slugs,
  type Env,
} from '../compat/public-examples.js';

const env: Env = { publishKey: 'pub_local_dev', secretKey: 'sec_local_dev', managementKey: 'mgmt_local_dev', baseUrl: inject('brokerUrl') };
afterEach(cleanup);

describe('an app written against the public SDK docs', () => {
  it('browser and server quick starts work together', async () => {
    let published: Awaited<ReturnType<typeof serverQuickStart>> = [];
    const received = await browserQuickStart(env, 'notifications', async () => {
      published = await serverQuickStart(env, 'notifications');
    });
    expect(published.map((p) => p.channelSlug)).toEqual(['notifications', 'notifications']);
    expect(published[0]!.delivered).toBe(1);
    expect(received[0]).toMatchObject({ id: published[0]!.id, content: { title: 'New Order' }, eventType: 'message' });
    const { messages, pagination } = await history(env, 'notifications');
    expect(messages.map((m) => m.eventType)).toEqual(['message', 'order.shipped']);
    expect(pagination).toMatchObject({ page: 1, pageSize: 50, total: 2, totalPages: 1 });
  });

  it('channel management and error handling work as documented', async () => {
    const result = await channelManagement(env, 'order-updates');
    expect(result.created).toMatchObject({
      slug: 'order-updates',
      name: 'Order Updates',
      description: 'Updated description',
      isPrivate: false,
    });
    expect(result.listed).toBeGreaterThanOrEqual(1);
    expect(await errorHandling(env)).toBe('auth:UNAUTHORIZED');
  });

  it('imports the slug helpers from ./server and the error classes from ./react', () => {
    expect(slugs('live-scores')).toEqual({ valid: true, slug: 'live-scores', check: { valid: true }, bounds: [1, 128] });
    expect(slugs('My Channel!')).toMatchObject({ valid: false, slug: 'my-channel', check: { valid: false, suggestion: 'my-channel' } });
    expect(reactErrorsAreTheSame()).toBe(true);
  });

  it('the React components render live messages', async () => {
    render(<App env={env} channel="react-docs" />);
    await waitFor(() => expect(screen.getByText('Status: connected')).toBeTruthy(), { timeout: 15_000 });
    await waitFor(() => expect(document.querySelector('ul')?.getAttribute('data-subscribed')).toBe('true'));
    await serverQuickStart(env, 'react-docs');
    await waitFor(() => expect(screen.getByText('Latest: undefined')).toBeTruthy());
    expect(screen.getByText('New Order')).toBeTruthy();
    expect(screen.getByText('(2 new)')).toBeTruthy();
  });
});
