/**
 * The suite's `test`: Playwright's, plus `firefox`, a Firefox browser for
 * the second user of a cross-browser spec (tagged `@cross`, run by the
 * `chromium+firefox` project, whose own `browser` is Chromium). It is
 * launched once per worker, the first time a test asks for it.
 *
 *   test('A and B see the same thing', { tag: '@cross' }, async ({ browser, firefox }) => {
 *     const [a] = await openUsers(browser, 1); // Chromium
 *     const [b] = await openUsers(firefox, 1); // Firefox
 *   });
 */
import { test as base, firefox as firefoxType, type Browser } from '@playwright/test';
import { firefoxLaunch } from './browsers';

export { expect } from '@playwright/test';

export const test = base.extend<object, { firefox: Browser }>({
  firefox: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright requires a fixture's first argument to be an object destructuring pattern (it reads it to find the fixtures used); this one uses none.
    async ({}, use) => {
      const browser = await firefoxType.launch(firefoxLaunch());
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
});

/** Tag of the specs that drive one user in Chromium and one in Firefox. */
export const CROSS = { tag: '@cross' } as const;
