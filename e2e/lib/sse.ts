/**
 * Helpers for running apps where WebSockets are blocked: refuse every socket
 * a context opens, and cut a page's SSE stream mid-flight.
 */
import type { BrowserContext } from '@playwright/test';

/** Refuses every WebSocket the context opens, as a network that blocks them does (the socket closes before any frame). */
export async function blockWebSockets(context: BrowserContext): Promise<{ refused: () => number }> {
  let refused = 0;
  await context.routeWebSocket(/.*/, (ws) => {
    refused++;
    void ws.close({ code: 1011, reason: 'WebSockets are blocked here (test)' });
  });
  return { refused: () => refused };
}

/**
 * Lets a test cut the SSE streams of a context's pages while they are open:
 * every `GET …/sse?…` the page makes with `fetch` gets an abort signal of the
 * test's, so `cut()` aborts the request mid-stream (the TCP connection
 * closes, as when the network drops). Must be installed before the page loads.
 */
export async function sseCutter(context: BrowserContext) {
  await context.addInitScript(() => {
    const original = window.fetch.bind(window);
    const open = new Set<AbortController>();
    const w = window as unknown as { __sseCut: () => number; __sseOpened: number };
    w.__sseOpened = 0;
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!/\/sse\?/.test(url) || (init?.method ?? 'GET') !== 'GET') return original(input, init);
      const controller = new AbortController();
      init?.signal?.addEventListener('abort', () => controller.abort());
      open.add(controller);
      w.__sseOpened++;
      return original(input, { ...init, signal: controller.signal });
    };
    w.__sseCut = () => {
      const n = open.size;
      for (const c of open) c.abort();
      open.clear();
      return n;
    };
  });
  return {
    /** Aborts every open stream of every page of the context; how many were cut. */
    async cut(): Promise<number> {
      let n = 0;
      for (const page of context.pages()) n += await page.evaluate(() => (window as unknown as { __sseCut: () => number }).__sseCut());
      return n;
    },
    /** Streams the pages have opened so far. */
    async opened(): Promise<number> {
      let n = 0;
      for (const page of context.pages()) n += await page.evaluate(() => (window as unknown as { __sseOpened: number }).__sseOpened);
      return n;
    },
  };
}
