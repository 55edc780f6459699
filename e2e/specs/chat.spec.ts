/**
 * Team chat: three people in one room see the same conversation in the same
 * order, see each other type and come and go, and lose nothing across a
 * dropped connection; sends are idempotent and text is never HTML.
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { CROSS, expect, test } from '../lib/fixtures';
import { closeUsers, offlineBadge, openUsers, socketLink } from '../lib/harness';
import { historyPage } from '../lib/history';
import { CHAT_URL } from '../lib/stack';
import { joinOpenRoom, member, openRoom, send, sentMessage, sentTexts, signIn, uniqueName } from '../lib/chat';

test.afterEach(closeUsers);

/** Calls the chat API as the user signed in on `page` (its cookies). */
async function api(request: APIRequestContext, method: string, path: string, data?: unknown) {
  const body = data === undefined ? undefined : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
  const res = await request.fetch(`${CHAT_URL}${path}`, { method, data: body, headers: { 'Content-Type': 'application/json' } });
  return { status: res.status(), json: (await res.json()) as { error?: string; code?: string; message?: { id: number; text: string } } };
}

const tagged = (texts: string[], tag: string) => texts.filter((t) => t.includes(tag));

// Several browsers signing in, backoff after a cut: more than the default minute on a loaded 2-core machine.
test.describe.configure({ timeout: 120_000 });

test(
  'three users (one in Firefox): typing within 500 ms, presence joins and leaves, the same order for all',
  CROSS,
  async ({ browser, firefox, request }) => {
    const [a, b] = await openUsers(browser, 2);
    const [c] = await openUsers(firefox, 1);
    const ana = a!.page;
    const ben = b!.page;
    const cleo = c!.page;
    const names = { ana: uniqueName('Ana'), ben: uniqueName('Ben'), cleo: uniqueName('Cleo') };
    const users: Array<[Page, 'ana' | 'ben' | 'cleo']> = [
      [ana, 'ana'],
      [ben, 'ben'],
      [cleo, 'cleo'],
    ];
    await signIn(ana, names.ana);

    // Presence: joins appear in the member list as each one arrives.
    await signIn(ben, names.ben);
    await expect(member(ana, names.ben)).toHaveAttribute('data-online', 'true');
    await signIn(cleo, names.cleo);
    for (const page of [ana, ben]) await expect(member(page, names.cleo)).toHaveAttribute('data-online', 'true');
    for (const name of Object.values(names)) await expect(member(cleo, name)).toHaveAttribute('data-online', 'true');

    // Typing, before anyone has typed in this room (so no typist's 2 s throttle window is open): each one
    // starts typing in turn; the two others see it within 500 ms, the typist never does. Timed from the
    // first keystroke as the typist's page sees it, to when the other page got the event.
    const ids = Object.fromEntries(
      await Promise.all(
        Object.entries(names).map(async ([who, name]) => [who, (await member(ana, name).getAttribute('data-user-id'))!] as const),
      ),
    );
    const typingSince = async (page: Page, userId: string) =>
      (JSON.parse((await page.getByTestId('typing').getAttribute('data-typists')) ?? '{}') as Record<string, number>)[userId];
    const samples: number[] = [];
    for (const [typist, who] of [users[0]!, users[2]!, users[1]!]) {
      const composer = typist.getByTestId('composer');
      await composer.evaluate((el) =>
        el.addEventListener('input', () => el.setAttribute('data-first-input-at', String(Date.now())), { once: true }),
      );
      await composer.pressSequentially('hel');
      const started = Number(await composer.getAttribute('data-first-input-at'));
      for (const [other] of users.filter(([p]) => p !== typist)) {
        await expect(other.getByTestId('typing')).toContainText(names[who]);
        samples.push((await typingSince(other, ids[who]!))! - started);
      }
      expect(await typingSince(typist, ids[who]!)).toBeUndefined();
    }
    const sorted = [...samples].sort((x, y) => x - y);
    const median = (sorted[2]! + sorted[3]!) / 2;
    test.info().annotations.push({ type: 'typing shown after (ms)', description: samples.join(', ') });
    console.log(`typing: first keystroke → the other pages: ${samples.join(', ')} ms (median ${median})`);
    // Within 500 ms, judged by the median of six: a loaded 2-core machine can stall any single sample.
    expect(median).toBeLessThan(500);
    expect(sorted[5]!).toBeLessThan(2_000);
    await expect(ana.getByTestId('typing')).not.toContainText(names.ana);
    // Two typists at once read naturally.
    await cleo.getByTestId('composer').pressSequentially('o');
    await ben.getByTestId('composer').pressSequentially('o');
    await expect(ana.getByTestId('typing')).toHaveText(
      new RegExp(`^(${names.cleo} and ${names.ben}|${names.ben} and ${names.cleo}) are typing…$`),
    );
    // Nobody types any more: the indicator clears (3 s after the last event).
    for (const [page] of users) await expect(page.getByTestId('typing')).toHaveAttribute('data-count', '0', { timeout: 10_000 });

    // Everyone sends at once; everyone ends up with the same order.
    const tag = `order-${Date.now().toString(36)}`;
    await Promise.all(
      users.map(async ([page, who]) => {
        for (let i = 1; i <= 3; i++) await send(page, `${who} ${i} ${tag}`);
      }),
    );
    const views = await Promise.all(
      users.map(async ([page]) => {
        await expect.poll(async () => tagged(await sentTexts(page), tag).length).toBe(9);
        await expect(page.locator('[data-testid="message"][data-status="pending"]')).toHaveCount(0);
        return tagged(await sentTexts(page), tag);
      }),
    );
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
    for (const who of ['ana', 'ben', 'cleo']) {
      expect(views[0]!.filter((t) => t.startsWith(who))).toEqual([1, 2, 3].map((i) => `${who} ${i} ${tag}`)); // each sender's own order kept
    }
    // Typing is ephemeral: the room's history has the messages and nothing of the typing.
    const events = (await historyPage(request, 'chat:room-general', { order: 'desc', pageSize: 100 })).items.map((m) => m.eventType);
    expect(events).toContain('message-sent');
    expect(events).not.toContain('user-typing');

    // A closed tab leaves.
    await cleo.close();
    for (const page of [ana, ben]) await expect(member(page, names.cleo)).toHaveAttribute('data-online', 'false', { timeout: 15_000 });
    await expect(member(ana, names.ben)).toHaveAttribute('data-online', 'true');
  },
);

test(
  'typing events (Chromium → Firefox): at most one every 2 s while typing, ephemeral, never echoed; the indicator holds while typing and expires after',
  CROSS,
  async ({ browser, firefox }) => {
    const [a] = await openUsers(browser, 1);
    const [b] = await openUsers(firefox, 1);
    const ana = a!.page;
    const ben = b!.page;
    // Every typing frame Ana's page sends over its broker socket, with when it went out.
    const frames: Array<{ at: number; frame: { type: string; event?: string; echo?: boolean; ephemeral?: boolean } }> = [];
    ana.on('websocket', (ws) => {
      ws.on('framesent', ({ payload }) => {
        const frame = JSON.parse(String(payload)) as (typeof frames)[number]['frame'];
        if (frame.type === 'publish') frames.push({ at: Date.now(), frame });
      });
    });
    const anaName = uniqueName('Ana');
    await signIn(ana, anaName);
    await signIn(ben, uniqueName('Ben'));

    // About 5 s of steady typing (a key every 170 ms).
    const typingStarted = Date.now();
    await ana.getByTestId('composer').pressSequentially('steady typing for five secs…', { delay: 170 });
    const typedFor = Date.now() - typingStarted;
    const typingFrames = frames.filter((f) => f.frame.event === 'user-typing');
    expect(typingFrames.length).toBeGreaterThanOrEqual(2);
    expect(typingFrames.length).toBeLessThanOrEqual(Math.ceil(typedFor / 2_000) + 1);
    for (const f of typingFrames) expect(f.frame).toMatchObject({ echo: false, ephemeral: true });
    const gaps = typingFrames.slice(1).map((f, i) => f.at - typingFrames[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThan(1_850); // 2 s, less the jitter of observing frames
    // Ben saw Ana typing throughout; Ana never sees herself.
    await expect(ben.getByTestId('typing')).toHaveText(`${anaName} is typing…`);
    await expect(ana.getByTestId('typing')).toHaveAttribute('data-count', '0');
    // After the last event it stays about 3 s, then goes.
    const last = frames.filter((f) => f.frame.event === 'user-typing').at(-1)!.at;
    await expect(ben.getByTestId('typing')).toHaveAttribute('data-count', '0', { timeout: 10_000 });
    const gone = Date.now();
    expect(gone - last).toBeGreaterThan(2_500);
    // Sending the message clears the indicator at once for the others.
    await ana.getByTestId('composer').pressSequentially('x');
    await expect(ben.getByTestId('typing')).toHaveText(`${anaName} is typing…`);
    await ana.getByTestId('composer').press('Enter');
    await expect(sentMessage(ben, 'steady typing for five secs…x')).toHaveCount(1);
    await expect(ben.getByTestId('typing')).toHaveAttribute('data-count', '0', { timeout: 1_000 });
  },
);

test(
  'reconnect replay: 10 messages sent from Chromium and Firefox while a third socket is down arrive in order, once each, with the right unread count',
  CROSS,
  async ({ browser, firefox }) => {
    const [a, c] = await openUsers(browser, 2);
    const [b] = await openUsers(firefox, 1);
    const ana = a!.page;
    const ben = b!.page;
    const cleo = c!.page;
    const link = await socketLink(cleo);
    await signIn(ana, uniqueName('Ana'));
    await signIn(ben, uniqueName('Ben'));
    const cleoName = uniqueName('Cleo');
    await signIn(cleo, cleoName);
    // Cleo reads #random; #general, where the messages go, counts unread.
    await openRoom(cleo, 'random');
    await expect(cleo.getByTestId('unread-general')).toHaveAttribute('data-count', '0');

    await link.drop();
    await expect(cleo.getByTestId('connection')).not.toHaveAttribute('data-state', 'connected');
    const tag = `replay-${Date.now().toString(36)}`;
    const expected: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const [page, who] = i % 2 === 1 ? [ana, 'ana'] : [ben, 'ben'];
      const text = `${who} #${i} ${tag}`;
      expected.push(text);
      await send(page, text);
      await expect(sentMessage(page, text)).toHaveCount(1);
    }
    // The ten went through the broker (each sender has the other's), and none reached Cleo, who is down.
    for (const page of [ana, ben]) await expect.poll(async () => tagged(await sentTexts(page), tag)).toEqual(expected);
    await expect(cleo.getByTestId('unread-general')).toHaveAttribute('data-count', '0');
    // The others see her leave (a dead socket leaves within 30 s at the latest)…
    await expect(member(ana, cleoName)).toHaveAttribute('data-online', 'false', { timeout: 35_000 });
    link.restore();

    await expect(cleo.getByTestId('connection')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
    // …and come back.
    await expect(member(ana, cleoName)).toHaveAttribute('data-online', 'true');
    await expect(cleo.getByTestId('unread-general')).toHaveAttribute('data-count', '10');
    await openRoom(cleo, 'general');
    await expect.poll(async () => tagged(await sentTexts(cleo), tag)).toEqual(expected);
    // Once each, in the room's order (database id, as every member sees it: see apps/chat/README.md). The ten
    // were sent one after another, so for them that is also the broker's order. (Messages sent at the same
    // moment by several people, as an earlier spec does, may have ids and seqs in different orders.)
    const lines = await cleo.locator('[data-testid="message"][data-status="sent"]').evaluateAll((els) =>
      els.map((e) => ({
        id: Number(e.getAttribute('data-id')),
        seq: Number(e.getAttribute('data-seq') ?? 0),
        text: e.querySelector('[data-testid="message-text"]')?.textContent ?? '',
      })),
    );
    const ids = lines.map((l) => l.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
    const seqs = lines.map((l) => l.seq).filter((n) => n > 0);
    expect(new Set(seqs).size).toBe(seqs.length);
    const replayed = lines.filter((l) => l.text.includes(tag)).map((l) => l.seq);
    expect(replayed).toHaveLength(10);
    for (const seq of replayed) expect(seq).toBeGreaterThan(0);
    expect(replayed).toEqual([...replayed].sort((x, y) => x - y));
    await expect(cleo.getByTestId('unread-general')).toHaveAttribute('data-count', '0');
    // The same view as the senders', in both browsers.
    expect(tagged(await sentTexts(ana), tag)).toEqual(expected);
    expect(tagged(await sentTexts(ben), tag)).toEqual(expected);
  },
);

test('a double-clicked send makes one message, a retry reuses its key, and HTML arrives as text', async ({ browser }) => {
  const [a, b] = await openUsers(browser, 2);
  const ana = a!.page;
  const ben = b!.page;
  await signIn(ana, uniqueName('Ana'));
  await signIn(ben, uniqueName('Ben'));

  const tag = Date.now().toString(36);
  const html = `<img src=x onerror="window.__pwned=1"><b>bold</b> <script>window.__pwned=2</script> ${tag}`;
  await ana.getByTestId('composer').fill(html);
  await ana.getByTestId('send').dblclick();
  for (const page of [ana, ben]) {
    await expect(sentMessage(page, html)).toHaveCount(1);
    await expect(page.getByTestId('messages').locator('img, b, script')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  }
  // A marker sent after the double-click: once Ben has it, a second message from the double-click would
  // have reached him before it (one sender, one room: the broker keeps their order).
  const marker = `marker after the double-click ${tag}`;
  await send(ana, marker);
  await expect(sentMessage(ben, marker)).toHaveCount(1);
  for (const page of [ana, ben]) {
    await expect(sentMessage(page, html)).toHaveCount(1);
    expect(tagged(await sentTexts(page), tag)).toEqual([html, marker]);
  }

  // The same key twice, at once, through the API: one row, one delivery.
  const key = `dup-${tag}`;
  const text = `api double ${tag}`;
  const [first, second] = await Promise.all([
    api(ana.request, 'POST', '/api/rooms/general/messages', { key, text }),
    api(ana.request, 'POST', '/api/rooms/general/messages', { key, text }),
  ]);
  expect(first.status).toBe(201);
  expect(second.status).toBe(201);
  expect(second.json.message!.id).toBe(first.json.message!.id);
  await expect(sentMessage(ben, text)).toHaveCount(1);
  expect(await api(ana.request, 'POST', '/api/rooms/general/messages', { key, text: 'something else' })).toMatchObject({
    status: 409,
    json: { code: 'KEY_REUSED' },
  });

  // A send that fails shows a retry; the retry (same key) makes one message.
  await ana.route('**/api/rooms/*/messages', (route) => route.abort('connectionrefused'));
  const flaky = `flaky ${tag}`;
  await send(ana, flaky);
  const failed = ana.locator('[data-testid="message"][data-status="failed"]');
  await expect(failed).toContainText(flaky);
  await expect(failed.getByTestId('retry')).toBeVisible();
  await ana.unroute('**/api/rooms/*/messages');
  await failed.getByTestId('retry').click();
  await expect(sentMessage(ana, flaky)).toHaveCount(1);
  await expect(failed).toHaveCount(0);
  await expect(sentMessage(ben, flaky)).toHaveCount(1);
});

test('empty and over-long messages are refused with a clear message, in the UI and by the API', async ({ page }) => {
  await signIn(page, uniqueName('Dana'));
  const composer = page.getByTestId('composer');
  await expect(page.getByTestId('send')).toBeDisabled();
  await composer.fill('   ');
  await composer.press('Enter');
  await expect(page.getByTestId('composer-error')).toHaveText('Write something before sending.');
  await composer.fill('x'.repeat(2001));
  await expect(page.getByTestId('counter')).toHaveText('2001 / 2000');
  await composer.press('Enter');
  await expect(page.getByTestId('composer-error')).toContainText('at most 2000 characters');
  await expect(composer).toHaveValue('x'.repeat(2001)); // kept, so it can be shortened
  await expect(page.locator('[data-testid="message"][data-status="pending"]')).toHaveCount(0);

  const r = page.request;
  const k = (what: string) => `k-${what}-${Date.now().toString(36)}`; // keys are the sender's to choose, once
  expect(await api(r, 'POST', '/api/rooms/general/messages', { key: k('empty'), text: ' ' })).toMatchObject({
    status: 400,
    json: { code: 'EMPTY_MESSAGE' },
  });
  expect(await api(r, 'POST', '/api/rooms/general/messages', { key: k('long'), text: 'y'.repeat(2001) })).toMatchObject({
    status: 400,
    json: { code: 'MESSAGE_TOO_LONG' },
  });
  expect((await api(r, 'POST', '/api/rooms/general/messages', { key: k('fits'), text: 'z'.repeat(2000) })).status).toBe(201);
  expect(await api(r, 'POST', '/api/rooms/general/messages', '{"key": ')).toMatchObject({ status: 400, json: { code: 'INVALID_JSON' } });
  expect(await api(r, 'POST', '/api/rooms/general/messages', { key: 'no', text: 'hi' })).toMatchObject({
    status: 400,
    json: { code: 'INVALID_KEY' },
  });
  expect(await api(r, 'POST', '/api/rooms/design/messages', { key: k('design'), text: 'hi' })).toMatchObject({
    status: 403,
    json: { code: 'NOT_A_MEMBER' },
  });
  expect(await api(r, 'POST', '/api/rooms/nope/messages', { key: k('nope'), text: 'hi' })).toMatchObject({
    status: 404,
    json: { code: 'ROOM_NOT_FOUND' },
  });
  const anonymous = await page.context().browser()!.newContext();
  try {
    expect(await api(anonymous.request, 'POST', '/api/rooms/general/messages', { key: k('anon'), text: 'hi' })).toMatchObject({
      status: 401,
      json: { code: 'NOT_SIGNED_IN' },
    });
    expect((await anonymous.request.post(`${CHAT_URL}/api/token`)).status()).toBe(401);
  } finally {
    await anonymous.close();
  }
});

test('joining a room announces it; opening a room backfills history and scrolling up pages further back', async ({ browser }) => {
  const [a, b] = await openUsers(browser, 2);
  const ana = a!.page;
  const ben = b!.page;
  const anaName = uniqueName('Ana');
  await signIn(ana, anaName);
  await signIn(ben, uniqueName('Ben'));
  await openRoom(ben, 'engineering');
  await joinOpenRoom(ben);

  // Ana joins too: Ben sees it live (user-joined), and Ana's presence.
  await openRoom(ana, 'engineering');
  await joinOpenRoom(ana);
  await expect(ben.getByTestId('join-notice').filter({ hasText: anaName })).toHaveCount(1);
  await expect(member(ben, anaName)).toHaveAttribute('data-online', 'true');

  // 45 messages, then a fresh page: the newest page first, the rest on scrolling up.
  const tag = `page-${Date.now().toString(36)}`;
  const texts = Array.from({ length: 45 }, (_, i) => `${tag} ${String(i + 1).padStart(2, '0')}`);
  for (const [i, text] of texts.entries()) {
    const res = await api(ana.request, 'POST', '/api/rooms/engineering/messages', { key: `${tag}-${i}`, text });
    expect(res.status).toBe(201);
  }
  await expect(sentMessage(ben, texts[44]!)).toHaveCount(1);
  await ben.reload();
  await expect(ben.getByTestId('room')).toHaveAttribute('data-room-id', 'engineering');
  await expect(ben.getByTestId('messages')).toHaveAttribute('data-loaded', 'true');
  await expect.poll(async () => tagged(await sentTexts(ben), tag)).toEqual(texts.slice(15));
  await expect(ben.getByTestId('messages')).toHaveAttribute('data-has-more', 'true');
  await ben.getByTestId('messages').evaluate((el) => (el.scrollTop = 0));
  await expect.poll(async () => tagged(await sentTexts(ben), tag)).toEqual(texts);
});

test('a member who leaves shows “last seen”, from the broker’s member_removed webhook stored by the app', async ({ browser }) => {
  const [a, b] = await openUsers(browser, 2);
  const ana = a!.page;
  const ben = b!.page;
  const names = { ana: uniqueName('Ana'), ben: uniqueName('Ben') };
  await signIn(ana, names.ana);
  await signIn(ben, names.ben);
  await expect(member(ana, names.ben)).toHaveAttribute('data-online', 'true');
  await expect(member(ana, names.ben).getByTestId('last-seen')).toHaveCount(0);
  const left = Date.now();
  await ben.close();
  // Offline at once (presence); "last seen" when the webhook has reached the app and been announced on the room.
  const seen = member(ana, names.ben).getByTestId('last-seen');
  await expect(member(ana, names.ben)).toHaveAttribute('data-online', 'false', { timeout: 15_000 });
  await expect(seen).toHaveText('last seen just now', { timeout: 15_000 });
  const at = Number(await seen.getAttribute('data-at'));
  expect(at).toBeGreaterThanOrEqual(left - 1_000);
  expect(at).toBeLessThanOrEqual(Date.now());
  // Stored in the app's database: a fresh load shows it too.
  await ana.reload();
  await expect(member(ana, names.ben).getByTestId('last-seen')).toHaveAttribute('data-at', String(at));
});

test('the connection badge is a live region; after a refused first connect, Retry connects and messages flow', async ({ page }) => {
  const link = await socketLink(page);
  await link.drop(); // the network is down before the chat connects
  await page.goto(CHAT_URL);
  await page.getByLabel('Display name').fill(uniqueName('Eve'));
  await page.getByRole('button', { name: 'Join the team' }).click();
  const badge = await offlineBadge(page);

  link.restore();
  await badge.retry('Connected');
  await expect(page.getByTestId('transport')).toContainText('WebSocket'); // the link is back: no SSE fallback
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  // Live again: a message sent from elsewhere (the API, as this user) arrives over the socket.
  const text = `after retry ${Date.now().toString(36)}`;
  expect((await api(page.request, 'POST', '/api/rooms/general/messages', { key: `retry-${Date.now()}`, text })).status).toBe(201);
  await expect(sentMessage(page, text)).toHaveCount(1);
});
