/**
 * Team chat where WebSockets are blocked: every socket the browser opens is
 * refused, so the SDK (transport 'auto') falls back to SSE, in Chromium and
 * in Firefox ESR. Messages, typing (client events up over HTTP), presence,
 * and a resume after the stream is cut, beside a user on a WebSocket.
 */
import type { Page } from '@playwright/test';
import { CROSS, expect, test } from '../lib/fixtures';
import { closeUsers, openUsers } from '../lib/harness';
import { member, openRoom, send, sentMessage, sentTexts, signIn, uniqueName } from '../lib/chat';
import { blockWebSockets, sseCutter } from '../lib/sse';

test.afterEach(closeUsers);
// Two browsers, fallbacks and backoff on a loaded 2-core machine.
test.describe.configure({ timeout: 150_000 });

const tagged = (texts: string[], tag: string) => texts.filter((t) => t.includes(tag));

/** The seqs of the sent messages in the open room, top to bottom. */
const seqsOf = (page: Page) =>
  page
    .locator('[data-testid="message"][data-status="sent"]')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))).filter((n) => n > 0));

async function expectTransport(page: Page, transport: 'sse' | 'websocket') {
  await expect(page.getByTestId('connection')).toHaveAttribute('data-transport', transport);
  await expect(page.getByTestId('transport')).toHaveText(`· ${transport === 'sse' ? 'SSE' : 'WebSocket'}`);
}

test(
  'WebSockets blocked in Chromium and Firefox: the chat runs on SSE — messages, typing, presence',
  CROSS,
  async ({ browser, firefox }) => {
    const [a, b] = await openUsers(browser, 2);
    const [c] = await openUsers(firefox, 1);
    const ana = a!.page; // Chromium, WebSockets blocked
    const ben = b!.page; // Chromium, WebSockets work
    const cleo = c!.page; // Firefox, WebSockets blocked
    const anaBlock = await blockWebSockets(a!.context);
    const cleoBlock = await blockWebSockets(c!.context);
    const names = { ana: uniqueName('Ana'), ben: uniqueName('Ben'), cleo: uniqueName('Cleo') };

    await signIn(ana, names.ana);
    await signIn(ben, names.ben);
    await signIn(cleo, names.cleo);
    await expectTransport(ana, 'sse');
    await expectTransport(cleo, 'sse');
    await expectTransport(ben, 'websocket');
    expect(anaBlock.refused()).toBeGreaterThanOrEqual(1);
    expect(cleoBlock.refused()).toBeGreaterThanOrEqual(1);

    // Presence: everyone sees everyone, whatever the transport.
    for (const page of [ana, ben, cleo])
      for (const name of Object.values(names)) await expect(member(page, name)).toHaveAttribute('data-online', 'true');

    // Messages: everyone sends; everyone ends up with the same order.
    const tag = `sse-order-${Date.now().toString(36)}`;
    const users: Array<[Page, string]> = [
      [ana, 'ana'],
      [ben, 'ben'],
      [cleo, 'cleo'],
    ];
    await Promise.all(
      users.map(async ([page, who]) => {
        for (let i = 1; i <= 3; i++) await send(page, `${who} ${i} ${tag}`);
      }),
    );
    const views = await Promise.all(
      users.map(async ([page]) => {
        await expect.poll(async () => tagged(await sentTexts(page), tag).length).toBe(9);
        return tagged(await sentTexts(page), tag);
      }),
    );
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);

    // Typing: client events going up over HTTP from the SSE users, and down to everyone; never echoed.
    await ana.waitForTimeout(2_000); // the sends above typed too: let the 2 s throttle window pass
    await ana.getByTestId('composer').pressSequentially('hel');
    for (const page of [ben, cleo]) await expect(page.getByTestId('typing')).toContainText(names.ana);
    await expect(ana.getByTestId('typing')).not.toContainText(names.ana);
    await cleo.getByTestId('composer').pressSequentially('yo');
    for (const page of [ana, ben]) await expect(page.getByTestId('typing')).toContainText(names.cleo);
    await ben.getByTestId('composer').pressSequentially('hey');
    for (const page of [ana, cleo]) await expect(page.getByTestId('typing')).toContainText(names.ben);

    // A closed tab leaves (the stream ends with the page).
    await cleo.close();
    for (const page of [ana, ben]) await expect(member(page, names.cleo)).toHaveAttribute('data-online', 'false', { timeout: 20_000 });
    await expect(member(ana, names.ben)).toHaveAttribute('data-online', 'true');
    // Still on SSE, still live.
    await expectTransport(ana, 'sse');
  },
);

test(
  'a cut SSE stream resumes with no gap and no duplicate (Chromium and Firefox), while reconnects are refused for a while',
  CROSS,
  async ({ browser, firefox }) => {
    const [a, b] = await openUsers(browser, 2);
    const [c] = await openUsers(firefox, 1);
    const ana = a!.page; // Chromium, SSE
    const ben = b!.page; // Chromium, WebSocket: the sender
    const cleo = c!.page; // Firefox, SSE
    await blockWebSockets(a!.context);
    const anaCut = await sseCutter(a!.context);
    await blockWebSockets(c!.context);
    const cleoCut = await sseCutter(c!.context);
    const names = { ana: uniqueName('Ana'), ben: uniqueName('Ben'), cleo: uniqueName('Cleo') };
    await signIn(ana, names.ana);
    await signIn(ben, names.ben);
    await signIn(cleo, names.cleo);
    await expectTransport(ana, 'sse');
    await expectTransport(cleo, 'sse');

    const tag = `sse-cut-${Date.now().toString(36)}`;
    const expected: string[] = [];
    const say = async (text: string) => {
      expected.push(text);
      await send(ben, text);
      await expect(sentMessage(ben, text)).toHaveCount(1);
    };
    await say(`before ${tag}`);
    for (const page of [ana, cleo]) await expect.poll(async () => tagged(await sentTexts(page), tag)).toEqual(expected);
    // Ana reads #random meanwhile: #general, where the messages go, counts unread.
    await openRoom(ana, 'random');
    await expect(ana.getByTestId('unread-general')).toHaveAttribute('data-count', '0');

    // The network drops: both streams are cut mid-flight, and their reconnects are refused until it comes back.
    for (const page of [ana, cleo]) await page.route('**/sse?**', (route) => route.abort('connectionreset'));
    expect(await anaCut.cut()).toBeGreaterThanOrEqual(1);
    expect(await cleoCut.cut()).toBeGreaterThanOrEqual(1);
    for (const page of [ana, cleo]) await expect(page.getByTestId('connection')).not.toHaveAttribute('data-state', 'connected');
    for (let i = 1; i <= 6; i++) await say(`while cut #${i} ${tag}`);
    await expect(ana.getByTestId('unread-general')).toHaveAttribute('data-count', '0'); // nothing arrives while down
    for (const page of [ana, cleo]) await page.unroute('**/sse?**');

    for (const page of [ana, cleo])
      await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'connected', { timeout: 40_000 });
    // Back on SSE straight away (the WebSocket failed a moment ago): no new WebSocket attempt is needed.
    await expectTransport(ana, 'sse');
    await expectTransport(cleo, 'sse');
    await say(`after ${tag}`);
    await expect(ana.getByTestId('unread-general')).toHaveAttribute('data-count', '7');
    await openRoom(ana, 'general');
    for (const page of [ana, cleo]) {
      await expect.poll(async () => tagged(await sentTexts(page), tag)).toEqual(expected);
      // Once each, and in the broker's order.
      const seqs = await seqsOf(page);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
      const ids = await page.locator('[data-testid="message"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(await anaCut.opened()).toBeGreaterThanOrEqual(2);
    expect(await cleoCut.opened()).toBeGreaterThanOrEqual(2);
  },
);
