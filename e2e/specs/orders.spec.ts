/**
 * Order tracking: the shop changes orders from its serverless functions; the
 * customer's page shows every change live, in order, exactly once.
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { CROSS, expect, test } from '../lib/fixtures';
import { closeUsers, offlineBadge, openUsers, p95, socketLink, typeInto } from '../lib/harness';
import { BROKER_WS_URL, ORDERS_URL } from '../lib/stack';

test.afterEach(closeUsers);

interface Order {
  id: string;
  item: string;
  status: string;
  events: Array<{ id: string; status: string }>;
}

async function api(request: APIRequestContext, method: string, path: string, data?: unknown) {
  // Raw bytes, so that a deliberately malformed body is sent as it is.
  const body = data === undefined ? undefined : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
  const res = await request.fetch(`${ORDERS_URL}${path}`, { method, data: body, headers: { 'Content-Type': 'application/json' } });
  return { status: res.status(), json: (await res.json()) as { order: Order; error?: string; code?: string } };
}

async function createOrder(request: APIRequestContext, userId: string, item: string): Promise<Order> {
  const res = await api(request, 'POST', '/api/orders', { userId, item, totalCents: 1999 });
  expect(res.status).toBe(201);
  return res.json.order;
}

async function advance(request: APIRequestContext, orderId: string, action = 'advance'): Promise<Order> {
  const res = await api(request, 'PATCH', `/api/orders/${orderId}`, { action });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.order;
}

/** Opens a customer's page and waits until it is live. */
async function openCustomer(page: Page, userId: string) {
  await page.goto(`${ORDERS_URL}/customer/${userId}`);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('subscribed')).toHaveAttribute('data-subscribed', 'true');
}

const notifications = async (page: Page) => {
  await page.getByTestId('bell').click();
  const texts = await page.getByTestId('notifications').locator('p').allTextContents();
  await page.getByTestId('bell').click();
  return texts;
};

/** The bell's notifications for one item, newest first. */
const itemNotices = async (page: Page, item: string) => (await notifications(page)).filter((t) => t.startsWith(`${item}:`));

/** The ids of the order events this page rendered (each once: `window.__orderRenders`). */
const rendered = (page: Page) => page.evaluate(() => Object.keys(window.__orderRenders ?? {}));

const unique = (what: string) => `${what} ${Math.random().toString(36).slice(2, 6)}`;

test(
  'the customer, open in Chromium and in Firefox, sees each change the shop makes, in order, once, in the timeline and as a toast',
  CROSS,
  async ({ browser, firefox }) => {
    const [{ page: shop }, { page: a }] = await openUsers(browser, 2);
    const [{ page: b }] = await openUsers(firefox, 1);
    await openCustomer(a, '1');
    await openCustomer(b, '1');
    await shop.goto(`${ORDERS_URL}/shop`);
    const item = unique('Stovetop kettle');

    // The shop creates an order through its form…
    await typeInto(shop.getByLabel('Item'), item);
    await typeInto(shop.getByLabel('Total'), '49.90');
    await shop.getByRole('button', { name: 'Create order' }).click();
    const row = shop.locator('tr', { hasText: item });
    await expect(row).toHaveAttribute('data-status', 'placed');
    const orderId = (await row.getAttribute('data-testid'))!.replace('row-', '');
    for (const customer of [a, b]) {
      await expect(customer.getByTestId(`order-${orderId}`)).toHaveAttribute('data-status', 'placed');
      await expect(customer.getByTestId('toast').filter({ hasText: `${item}: Placed` })).toBeVisible();
    }

    // …and advances it step by step; each step shows up live in both browsers.
    const steps = [
      ['confirmed', 'Confirmed'],
      ['shipped', 'Shipped'],
      ['out_for_delivery', 'Out for delivery'],
      ['delivered', 'Delivered'],
    ] as const;
    for (const [status, label] of steps) {
      await row.getByTestId('advance').click();
      await expect(row).toHaveAttribute('data-status', status);
      for (const customer of [a, b]) {
        const card = customer.getByTestId(`order-${orderId}`);
        await expect(card).toHaveAttribute('data-status', status);
        await expect(card.locator('li.current .step, li.done .step').last()).toHaveText(label);
        await expect(customer.getByTestId('toast').filter({ hasText: `${item}: ${label}` })).toBeVisible();
      }
    }
    // Both bells list every change once, newest first: the same list in both browsers.
    const expected = ['Delivered', 'Out for delivery', 'Shipped', 'Confirmed', 'Placed'].map((l) => `${item}: ${l}`);
    expect(await itemNotices(a, item)).toEqual(expected);
    expect(await itemNotices(b, item)).toEqual(expected);
    expect((await rendered(b)).sort()).toEqual((await rendered(a)).sort());
  },
);

test('publish → render p95 is under 150 ms', async ({ page, request }) => {
  await openCustomer(page, '2');
  const latencies: number[] = [];
  // Round 0 warms the page up (first toasts, first timeline steps) and is not counted; then 4 × 5 changes,
  // so the p95 of 20 is the second worst, not the single worst.
  for (let round = 0; round <= 4; round++) {
    const order = await createOrder(request, '2', `Latency probe ${round}`);
    await expect(page.getByTestId(`order-${order.id}`)).toBeVisible();
    for (const action of ['advance', 'advance', 'delay', 'advance', 'advance']) {
      const started = Date.now();
      const updated = await advance(request, order.id, action);
      const eventId = updated.events.at(-1)!.id;
      const rendered = await page.waitForFunction((id) => window.__orderRenders?.[id], eventId);
      if (round > 0) latencies.push(((await rendered.jsonValue()) as number) - started);
    }
  }
  const p = p95(latencies);
  const where = test.info().project.name;
  test.info().annotations.push({ type: `publish→render ms (${where})`, description: `p95 ${p}; all ${latencies.join(', ')}` });
  console.log(`publish → render in ${where}: p95 ${p} ms over ${latencies.length} changes (${latencies.join(', ')})`);
  expect(p).toBeLessThan(150);
});

test('another customer never sees it', async ({ browser, request }) => {
  const [ana, ben] = await openUsers(browser, 2);
  await openCustomer(ana!.page, '1');
  await openCustomer(ben!.page, '3');
  const item = unique('Private parcel');
  const order = await createOrder(request, '1', item);
  await advance(request, order.id);
  await expect(ana!.page.getByTestId('toast').filter({ hasText: `${item}: Confirmed` })).toBeVisible();
  // A marker for Ben after Ana's two updates: once it has arrived, anything of Ana's that was going to reach
  // Ben's page would have too.
  const marker = await createOrder(request, '3', unique('Marker for Ben'));
  await expect(ben!.page.getByTestId('toast').filter({ hasText: `${marker.item}: Placed` })).toBeVisible();
  await expect(ben!.page.getByTestId('toast')).toHaveCount(1);
  await expect(ben!.page.getByTestId('unread')).toHaveText('1');
  await expect(ben!.page.getByTestId(`order-${order.id}`)).toHaveCount(0);
  expect(await rendered(ben!.page)).toEqual([marker.events[0]!.id]);
  // And Ben's token cannot be used for Ana's channel: the broker refuses it.
  const token = (await (await request.fetch(`${ORDERS_URL}/api/token?userId=3`, { method: 'POST' })).json()) as { token: string };
  const refused = await ben!.page.evaluate(
    async ({ t, url }) => {
      const ws = new WebSocket(`${url}/ws?token=${t}`);
      return new Promise<string>((resolve) => {
        ws.onmessage = (e) => {
          const f = JSON.parse(e.data as string);
          if (f.type === 'connected') ws.send(JSON.stringify({ type: 'subscribe', channel: 'private:orders:user-1' }));
          if (f.type === 'error') resolve(f.code);
          if (f.type === 'subscribed') resolve('subscribed');
        };
      });
    },
    { t: token.token, url: BROKER_WS_URL },
  );
  expect(refused).toBe('FORBIDDEN');
});

test(
  'reconnect replay: three changes made while both browsers are cut off arrive in order, once each, in each',
  CROSS,
  async ({ browser, firefox, request }) => {
    const [{ page: a }, { page: live }] = await openUsers(browser, 2);
    const [{ page: b }] = await openUsers(firefox, 1);
    const pair = [a, b];
    const links = [await socketLink(a), await socketLink(b)];
    for (const page of [...pair, live]) await openCustomer(page, '1');
    const item = unique('Bike lights');
    const order = await createOrder(request, '1', item);
    const unreadBefore: number[] = [];
    for (const page of pair) {
      await expect(page.getByTestId('toast').filter({ hasText: `${item}: Placed` })).toBeVisible();
      // A new order is fetched whole when its first update arrives; let that fetch land before the cut,
      // or it could answer with a later status while the socket is down.
      await expect(page.getByTestId(`order-${order.id}`)).toHaveAttribute('data-status', 'placed');
      unreadBefore.push(Number(await page.getByTestId('unread').textContent()));
    }

    for (const link of links) await link.drop();
    for (const page of pair) await expect(page.getByTestId('connection')).not.toHaveAttribute('data-state', 'connected');
    await advance(request, order.id); // confirmed
    await advance(request, order.id); // shipped
    await advance(request, order.id, 'delay');
    // A third page that stayed connected has all three; the two that are down have none.
    await expect(live.getByTestId(`order-${order.id}`)).toHaveAttribute('data-status', 'delayed');
    for (const page of pair) await expect(page.getByTestId(`order-${order.id}`)).toHaveAttribute('data-status', 'placed');
    for (const link of links) link.restore();

    const events = (await api(request, 'GET', `/api/orders/${order.id}`)).json.order.events.map((e) => e.id);
    expect(events).toHaveLength(4);
    for (const [i, page] of pair.entries()) {
      await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
      await expect(page.getByTestId(`order-${order.id}`)).toHaveAttribute('data-status', 'delayed');
      await expect(page.getByTestId('unread')).toHaveText(String(unreadBefore[i]! + 3));
      expect(await itemNotices(page, item)).toEqual(['Delayed', 'Shipped', 'Confirmed', 'Placed'].map((l) => `${item}: ${l}`));
      // Each update rendered exactly once (no duplicate toast).
      expect((await rendered(page)).filter((id) => events.includes(id)).sort()).toEqual([...events].sort());
      await expect(page.locator('[data-testid="toast"]').filter({ hasText: `${item}: Shipped` })).toHaveCount(1);
    }
  },
);

test('bad input gets clear errors, through the API and the UI', async ({ page, request }) => {
  const malformed = await api(request, 'POST', '/api/orders', '{"userId": ');
  expect(malformed).toMatchObject({ status: 400, json: { code: 'INVALID_JSON' } });
  expect(await api(request, 'POST', '/api/orders', { userId: '1', item: '', totalCents: 100 })).toMatchObject({
    status: 400,
    json: { code: 'INVALID_ITEM' },
  });
  expect(await api(request, 'POST', '/api/orders', { userId: '1', item: 'x', totalCents: -5 })).toMatchObject({
    status: 400,
    json: { code: 'INVALID_TOTAL' },
  });
  expect(await api(request, 'POST', '/api/orders', { userId: '999', item: 'x', totalCents: 5 })).toMatchObject({
    status: 404,
    json: { code: 'USER_NOT_FOUND' },
  });
  expect(await api(request, 'PATCH', '/api/orders/ord_missing', { action: 'advance' })).toMatchObject({
    status: 404,
    json: { code: 'ORDER_NOT_FOUND' },
  });
  expect(await api(request, 'PATCH', '/api/orders/ord_1004', { action: 'advance' })).toMatchObject({
    status: 409,
    json: { code: 'INVALID_TRANSITION' },
  });
  expect(await api(request, 'PATCH', '/api/orders/ord_1002', { action: 'teleport' })).toMatchObject({
    status: 400,
    json: { code: 'INVALID_ACTION' },
  });
  expect(await api(request, 'PATCH', '/api/orders/ord_1002', { status: 'delivered' })).toMatchObject({
    status: 409,
    json: { code: 'INVALID_TRANSITION' },
  });

  await page.goto(`${ORDERS_URL}/shop`);
  await typeInto(page.getByLabel('Total'), '12');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByTestId('error')).toContainText('INVALID_ITEM');
  await typeInto(page.getByLabel('Item'), 'Gift card');
  await typeInto(page.getByLabel('Total'), 'abc');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByTestId('error')).toContainText('INVALID_TOTAL');
});

test('an unknown customer gets a Parcelly "no such customer" page (a 404), not a bare one', async ({ page }) => {
  const res = await page.goto(`${ORDERS_URL}/customer/999`);
  expect(res!.status()).toBe(404);
  const notFound = page.getByTestId('no-such-customer');
  await expect(notFound.getByRole('heading', { level: 1 })).toHaveText('No such customer');
  await expect(page).toHaveTitle('No such customer · Parcelly');
  await expect(page.getByRole('banner').getByRole('link', { name: /Parcelly/ })).toBeVisible(); // the app's own header
  await expect(page.getByText('This page could not be found')).toHaveCount(0);
  // It leads somewhere useful: the customers that exist.
  await notFound.getByRole('link', { name: /Ben/ }).click();
  await expect(page).toHaveURL(`${ORDERS_URL}/customer/2`);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'connected');
});

test('the connection badge is a live region; after a refused first connect, Retry connects and updates flow', async ({ page, request }) => {
  const link = await socketLink(page);
  await link.drop(); // the network is down before the page loads
  await page.goto(`${ORDERS_URL}/customer/2`);
  const badge = await offlineBadge(page);

  link.restore();
  await badge.retry('Live');
  await expect(page.getByTestId('subscribed')).toHaveAttribute('data-subscribed', 'true');
  const order = await createOrder(request, '2', unique('After retry'));
  await expect(page.getByTestId('toast').filter({ hasText: `${order.item}: Placed` })).toBeVisible();
});

declare global {
  interface Window {
    __orderRenders?: Record<string, number>;
  }
}
