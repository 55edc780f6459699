/**
 * Helpers every app's specs share: users as separate browser contexts (of
 * the project's browser, or of the `firefox` fixture for a cross-browser
 * spec), dropping and restoring a user's WebSocket, and publish → render
 * latency.
 */
import { type Browser, type BrowserContext, expect, type Locator, type Page, type TestInfo, type WebSocketRoute } from '@playwright/test';

/** Contexts opened by `openUsers` and not closed yet. */
const opened = new Set<BrowserContext>();

/**
 * Opens `n` users, each in its own context (own cookies, own sockets). They
 * stay open until `closeUsers()`, which every spec file runs after each test,
 * so no page of one test keeps a socket (or a game loop) running into the next.
 */
export async function openUsers(browser: Browser, n: number): Promise<Array<{ context: BrowserContext; page: Page }>> {
  const users = [];
  for (let i = 0; i < n; i++) {
    const context = await browser.newContext();
    opened.add(context);
    context.once('close', () => opened.delete(context));
    users.push({ context, page: await context.newPage() });
  }
  return users;
}

/**
 * Closes every user `openUsers` opened: `test.afterEach(closeUsers)`. After a
 * failure it first attaches a screenshot of each of their pages to the report.
 */
// biome-ignore lint/correctness/noEmptyPattern: Playwright requires a hook's first argument to be an object destructuring pattern (it reads it to find the fixtures used); this hook uses none.
export async function closeUsers({}: object, testInfo: TestInfo): Promise<void> {
  const contexts = [...opened];
  opened.clear();
  if (testInfo.status !== testInfo.expectedStatus) {
    let n = 0;
    for (const page of contexts.flatMap((c) => c.pages())) {
      const body = await page.screenshot({ timeout: 5_000 }).catch(() => null);
      if (body !== null) await testInfo.attach(`user-${++n}`, { body, contentType: 'image/png' });
    }
  }
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
}

/**
 * Routes a page's broker WebSockets through Playwright so a test can cut them
 * (`setOffline` does not close open sockets). While cut, reconnect attempts
 * are refused, as a dead network would.
 */
export async function socketLink(target: Page | BrowserContext, match: RegExp = /\/ws\?/) {
  const open = new Set<WebSocketRoute>();
  let cut = false;
  await target.routeWebSocket(match, (ws) => {
    if (cut) {
      void ws.close({ code: 4000, reason: 'network down (test)' });
      return;
    }
    ws.connectToServer();
    open.add(ws);
  });
  // While the network is down, the SDK's SSE fallback (`transport: 'auto'`) is refused too.
  await target.route(/\/sse(\/|\?|$)/, (route) => (cut ? route.abort('internetdisconnected') : route.fallback()));
  return {
    /** Drops every open socket and refuses new ones (and SSE streams: none is open while a socket works). */
    async drop(): Promise<void> {
      cut = true;
      for (const ws of open) await ws.close({ code: 4000, reason: 'network down (test)' }).catch(() => undefined);
      open.clear();
    },
    /** Lets reconnects through again. */
    restore(): void {
      cut = false;
    },
  };
}

/**
 * Replaces a field's text by typing it, key by key, as a person does. Over WebDriver BiDi (Firefox),
 * Playwright's `fill()` sets the value through the `value` setter, which React's controlled inputs take
 * for their own write: their onChange never fires and the app keeps the old text. Typing works in both.
 */
export async function typeInto(field: Locator, text: string): Promise<void> {
  await field.click();
  await field.press('ControlOrMeta+a');
  await field.press('Backspace');
  await field.pressSequentially(text);
}

/**
 * The connection badge every app shows, checked while the first connect was refused: a polite live
 * region whose text starts with "Offline", with a Retry button. `retry()` clicks it (restore the link
 * first) and checks the badge's text starts with `liveText`, with the button gone.
 */
export async function offlineBadge(page: Page): Promise<{ retry(liveText: string): Promise<void> }> {
  const badge = page.getByTestId('connection');
  await expect(badge).toHaveAttribute('data-state', 'error');
  await expect(badge).toHaveRole('status');
  await expect(badge).toHaveAttribute('aria-live', 'polite');
  await expect(badge).toHaveText(/^Offline/); // an app may name the transport after the state (chat: "· SSE")
  const button = page.getByRole('button', { name: 'Retry' });
  await expect(button).toBeVisible();
  return {
    async retry(liveText: string) {
      await button.click();
      await expect(badge).toHaveAttribute('data-state', 'connected');
      await expect(badge).toHaveText(new RegExp(`^${liveText}`));
      await expect(button).toHaveCount(0);
    },
  };
}

/** The 95th percentile of a list of numbers. */
export function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
}
