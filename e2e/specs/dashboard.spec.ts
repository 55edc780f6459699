/**
 * Live dashboard: the app's scheduled function reads the broker's own
 * statistics every second and publishes `metrics-update` (and
 * `alert-triggered` when a rule fires) to `dashboard:company-1`; dashboards
 * chart them live, backfilled from history by seq.
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { CROSS, expect, test } from '../lib/fixtures';
import { closeUsers, offlineBadge, openUsers, socketLink } from '../lib/harness';
import { historyPage } from '../lib/history';
import { BROKER_URL, BROKER_WS_URL, DASHBOARD_URL } from '../lib/stack';

test.afterEach(closeUsers);

const CHANNEL = 'dashboard:company-1';

interface Probe {
  company: string;
  points: Array<{ seq: number; value: { t: number; connections: number } }>;
  alerts: Array<{ seq: number; value: { id: string; ruleId: string; detail: string } }>;
  backfills: number;
}

const probe = (page: Page): Promise<Probe> => page.evaluate(() => (window as unknown as { __dashboard: Probe }).__dashboard);
const lastSeq = async (page: Page) => Number(await page.getByTestId('dashboard').getAttribute('data-last-seq'));

/** Opens the broker dashboard and waits until it is live and backfilled. */
async function openDashboard(page: Page) {
  await page.goto(`${DASHBOARD_URL}/?company=1`);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('dashboard')).toHaveAttribute('data-subscribed', 'true');
  await expect.poll(async () => (await probe(page))?.backfills ?? 0).toBeGreaterThanOrEqual(1);
}

async function waitForSeq(page: Page, seq: number) {
  await expect.poll(() => lastSeq(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(seq);
}

/** The channel's `metrics-update` seqs as the broker stored them, in order. */
async function historySeqs(request: APIRequestContext): Promise<number[]> {
  const seqs: number[] = [];
  for (let page = 1; ; page++) {
    const { items, totalPages } = await historyPage(request, CHANNEL, { eventType: 'metrics-update', order: 'asc', pageSize: 100, page });
    seqs.push(...items.map((m) => m.seq));
    if (page >= totalPages) return seqs;
  }
}

const seqsOf = (p: Probe) => p.points.map((x) => x.seq);
const alertIds = async (page: Page, ruleId: string) =>
  (await probe(page)).alerts.filter((a) => a.value.ruleId === ruleId).map((a) => a.value.id);

/** Waits for an alert of `ruleId` that was not there before (other specs may have fired some already) and returns its id. */
async function newAlert(page: Page, ruleId: string, before: string[]): Promise<string> {
  await expect.poll(async () => (await alertIds(page, ruleId)).filter((id) => !before.includes(id)).length, { timeout: 20_000 }).toBe(1);
  return (await alertIds(page, ruleId)).find((id) => !before.includes(id))!;
}

test(
  'two dashboards, in Chromium and in Firefox, show the same metric sequence and the same alerts',
  CROSS,
  async ({ browser, firefox, request }) => {
    const [a] = await openUsers(browser, 1);
    const [b] = await openUsers(firefox, 1);
    await openDashboard(a!.page);
    await waitForSeq(a!.page, (await lastSeq(a!.page)) + 2); // B opens later, so it relies on the backfill
    await openDashboard(b!.page);

    const before = await alertIds(a!.page, 'error-rate');
    // A real condition: a burst of bad publishes (broken JSON, a wrong key) makes the broker count errors.
    const url = `${BROKER_URL}/api/v1/channels/${encodeURIComponent('dashboard-e2e:bad')}/messages`;
    await Promise.all([
      ...Array.from({ length: 30 }, () =>
        request.post(url, {
          data: Buffer.from('{"content": {'),
          headers: { Authorization: 'Bearer sec_local_dev', 'Content-Type': 'application/json' },
        }),
      ),
      ...Array.from({ length: 10 }, () =>
        request.post(url, { data: { content: { a: 1 } }, headers: { Authorization: 'Bearer sec_wrong' } }),
      ),
    ]);

    const fired = await newAlert(a!.page, 'error-rate', before);
    expect(await newAlert(b!.page, 'error-rate', before)).toBe(fired);
    for (const { page } of [a!, b!]) {
      const alert = page.locator(`[data-testid="alert"][data-alert-id="${fired}"]`);
      await expect(alert).toBeVisible();
      await expect(alert).toContainText('INVALID_JSON');
      await expect(alert).toContainText('UNAUTHORIZED');
    }

    const target = Math.max(await lastSeq(a!.page), await lastSeq(b!.page)) + 2;
    await waitForSeq(a!.page, target);
    await waitForSeq(b!.page, target);
    const [pa, pb] = [await probe(a!.page), await probe(b!.page)];
    const from = Math.max(pa.points[0]!.seq, pb.points[0]!.seq);
    const slice = (p: Probe) => p.points.filter((x) => x.seq >= from && x.seq <= target);
    expect(slice(pa).length).toBeGreaterThanOrEqual(8);
    expect(slice(pb)).toEqual(slice(pa));
    expect(pb.alerts.map((x) => x.value.id)).toEqual(pa.alerts.map((x) => x.value.id));
    expect(pa.alerts.length).toBeGreaterThanOrEqual(1);
  },
);

test(
  'a dashboard (Firefox) whose socket drops for several updates comes back with no gap and no duplicate point, the same points as Chromium',
  CROSS,
  async ({ browser, firefox, request }) => {
    const [a] = await openUsers(browser, 1);
    const [b] = await openUsers(firefox, 1);
    const link = await socketLink(b!.page);
    await openDashboard(a!.page);
    await openDashboard(b!.page);
    await waitForSeq(b!.page, (await lastSeq(a!.page)) + 2);

    const atDrop = await lastSeq(b!.page);
    await link.drop();
    await expect(b!.page.getByTestId('connection')).not.toHaveAttribute('data-state', 'connected');
    // Several updates go by while B is down (A keeps receiving them).
    await waitForSeq(a!.page, atDrop + 6);
    expect(await lastSeq(b!.page)).toBeLessThanOrEqual(atDrop + 1);
    const missedUpTo = await lastSeq(a!.page);

    link.restore();
    await expect(b!.page.getByTestId('connection')).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
    await waitForSeq(b!.page, missedUpTo + 1);

    const pb = await probe(b!.page);
    const mine = seqsOf(pb);
    expect(new Set(mine).size).toBe(mine.length); // no duplicate
    const stored = (await historySeqs(request)).filter((s) => s >= mine[0]! && s <= mine[mine.length - 1]!);
    expect(mine).toEqual(stored); // no gap: exactly the channel's points over B's window
    expect(mine.filter((s) => s > atDrop && s <= missedUpTo).length).toBeGreaterThanOrEqual(4); // the outage is covered
    // And they are the same points A has.
    const pa = await probe(a!.page);
    const common = pb.points.filter((x) => x.seq <= missedUpTo && x.seq >= pa.points[0]!.seq);
    expect(common).toEqual(pa.points.filter((x) => x.seq <= missedUpTo && x.seq >= common[0]!.seq));
  },
);

test('connections dropping sharply fires an alert from the real broker figures', async ({ browser, request }) => {
  const [{ page }] = await openUsers(browser, 1);
  await openDashboard(page);
  const before = await alertIds(page, 'connection-drop');

  // At least as many real subscribers as the broker already holds (other specs' pages may still be
  // connected when the whole suite runs), so that their leaving is a drop by half or more…
  const stats = await request.get(`${BROKER_URL}/api/v1/stats`, { headers: { Authorization: 'Bearer sec_local_dev' } });
  const current = ((await stats.json()) as { data: { connections: number } }).data.connections;
  const count = Math.max(12, current + 4);
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`${BROKER_WS_URL}/ws?token=pub_local_dev`);
          ws.onmessage = (e) => {
            if (JSON.parse(String(e.data)).type === 'connected') resolve(ws);
          };
          ws.onerror = () => reject(new Error('socket failed'));
        }),
    ),
  );
  await expect
    .poll(async () => Number((await page.getByTestId('kpi-connections').locator('.kpi-value').textContent())?.replace(/\D/g, '')), {
      timeout: 20_000,
    })
    .toBeGreaterThanOrEqual(count);
  expect(await alertIds(page, 'connection-drop')).toEqual(before); // connecting is not a drop

  // …and all go away at once.
  for (const ws of sockets) ws.close();
  const fired = await newAlert(page, 'connection-drop', before);
  await expect(page.locator(`[data-testid="alert"][data-alert-id="${fired}"]`)).toContainText(/connections fell from \d+ to \d+/);
});

test('the webhooks panel shows the broker’s webhook POSTs as they happen', async ({ browser, request }) => {
  const [{ page }] = await openUsers(browser, 1);
  await openDashboard(page);
  const panel = page.getByTestId('webhooks');
  await expect(panel).not.toHaveAttribute('data-deliveries', '');
  const attempts = async () => Number(await panel.getAttribute('data-deliveries')) + Number(await panel.getAttribute('data-failures'));
  const before = await attempts();
  // The first subscriber of a fresh channel: channel_occupied, POSTed to every WEBHOOK_URL (the chat and game apps;
  // refused connections count as failures when those apps are not running).
  const channel = `e2e:webhooks-${Date.now().toString(36)}`;
  const ws = await new Promise<WebSocket>((resolve, reject) => {
    const s = new WebSocket(`${BROKER_WS_URL}/ws?token=pub_local_dev`);
    s.onmessage = (e) => {
      const f = JSON.parse(String(e.data)) as { type: string };
      if (f.type === 'connected') s.send(JSON.stringify({ type: 'subscribe', channel }));
      if (f.type === 'subscribed') resolve(s);
    };
    s.onerror = () => reject(new Error('socket failed'));
  });
  await expect.poll(attempts, { timeout: 20_000 }).toBeGreaterThan(before);
  // The panel shows what the broker's statistics say.
  const stats = await request.get(`${BROKER_URL}/api/v1/stats`, { headers: { Authorization: 'Bearer sec_local_dev' } });
  const w = ((await stats.json()) as { data: { webhooks: { deliveries: number; failures: number } } }).data.webhooks;
  expect(w.deliveries + w.failures).toBeGreaterThanOrEqual(await attempts());
  ws.close();
});

test("a chart's legend reads out the point under the cursor, and shows nothing while the cursor is off the chart", async ({ page }) => {
  await openDashboard(page);
  await waitForSeq(page, (await lastSeq(page)) + 2);
  const chart = page.getByTestId('chart-throughput');
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
  const legend = chart.locator('.u-legend');
  // Off the chart: no readout at all (uPlot's own would say "Time: --"); the key of the lines stays.
  await expect(legend).toBeHidden();
  await expect(chart.locator('.chart-key li')).toHaveText(['delivered/s', 'published/s']);

  // On the chart: the time and each line's value at the cursor.
  const box = (await chart.locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.95, box.y + box.height / 2);
  await expect(legend).toBeVisible();
  const readout = legend.locator('.u-series');
  await expect(readout.first()).toContainText(/\d{2}:\d{2}/);
  for (const text of await readout.allInnerTexts()) expect(text).not.toContain('--');

  // And off it again.
  await page.mouse.move(box.x + box.width / 2, box.y + box.height + 200);
  await expect(legend).toBeHidden();
});

test('the connection badge is a live region; after a refused first connect, Retry connects and the metrics flow', async ({ page }) => {
  const link = await socketLink(page);
  await link.drop(); // the network is down before the page loads
  await page.goto(`${DASHBOARD_URL}/?company=1`);
  const badge = await offlineBadge(page);

  link.restore();
  await badge.retry('Live');
  await expect(page.getByTestId('dashboard')).toHaveAttribute('data-subscribed', 'true');
  await waitForSeq(page, (await lastSeq(page)) + 2); // live updates arrive
});
