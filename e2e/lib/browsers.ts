/**
 * Which Chromium and which Firefox the suite drives, decided here and only
 * here. For each browser, the first that exists wins:
 *
 *   1. the executable an env var names: E2E_CHROMIUM, E2E_FIREFOX (a stock
 *      Firefox, driven over WebDriver BiDi);
 *   2. Debian's packages: /usr/lib/chromium/chromium, /usr/lib/firefox-esr/firefox-esr
 *      (Firefox ESR over BiDi, `channel: 'moz-firefox'`);
 *   3. Playwright's own browsers (`pnpm --filter @switchyard/e2e exec playwright install chromium firefox`).
 *
 * `node lib/browsers.ts` prints the choice (ensure-browsers.sh runs it) and
 * exits 1 when a browser is missing.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { chromium, firefox, type LaunchOptions } from '@playwright/test';

export type BrowserName = 'chromium' | 'firefox';

export interface BrowserChoice {
  name: BrowserName;
  /** Where the executable came from, for people: `E2E_FIREFOX`, `Debian`, `Playwright`. */
  source: string;
  /** The executable's path; undefined when nothing was found. */
  executable: string | undefined;
  /** What to hand Playwright: the project's `use` (and `firefox.launch()` for a second browser). */
  use: { browserName: BrowserName; channel?: string; launchOptions: LaunchOptions };
  /** Why nothing was found (only when `executable` is undefined). */
  problem?: string;
}

const DEBIAN = { chromium: '/usr/lib/chromium/chromium', firefox: '/usr/lib/firefox-esr/firefox-esr' } as const;
const ENV = { chromium: 'E2E_CHROMIUM', firefox: 'E2E_FIREFOX' } as const;
/** Flags that keep Chromium quiet and light in a container (the sandbox needs privileges a container may lack). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Playwright's own build of the browser, when `playwright install` put it there. */
function playwrights(name: BrowserName): string | undefined {
  try {
    const path = (name === 'chromium' ? chromium : firefox).executablePath();
    return executable(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** A stock Firefox (env var or Debian's ESR) speaks WebDriver BiDi; Playwright's own Firefox its own protocol. */
function use(name: BrowserName, path: string, stock: boolean): BrowserChoice['use'] {
  if (name === 'chromium') return { browserName: name, launchOptions: { executablePath: path, args: CHROMIUM_ARGS } };
  return stock
    ? { browserName: name, channel: 'moz-firefox', launchOptions: { executablePath: path } }
    : { browserName: name, launchOptions: {} };
}

export function choose(name: BrowserName): BrowserChoice {
  const fromEnv = process.env[ENV[name]];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (executable(fromEnv)) return { name, source: ENV[name], executable: fromEnv, use: use(name, fromEnv, true) };
    return {
      name,
      source: ENV[name],
      executable: undefined,
      use: { browserName: name, launchOptions: {} },
      problem: `${ENV[name]}=${fromEnv} is not an executable file`,
    };
  }
  if (executable(DEBIAN[name])) return { name, source: 'Debian', executable: DEBIAN[name], use: use(name, DEBIAN[name], true) };
  const own = playwrights(name);
  if (own !== undefined) return { name, source: 'Playwright', executable: own, use: use(name, own, false) };
  return {
    name,
    source: 'none',
    executable: undefined,
    // Launching this fails with Playwright's own "Executable doesn't exist … playwright install" message.
    use: { browserName: name, launchOptions: {} },
    problem: `no ${name}: set ${ENV[name]}, install Debian's ${name === 'chromium' ? 'chromium' : 'firefox-esr'}, or run \`pnpm --filter @switchyard/e2e exec playwright install ${name}\``,
  };
}

export const CHROMIUM = choose('chromium');
export const FIREFOX = choose('firefox');

/** Launch options for opening Firefox by hand (a second browser inside a Chromium project's test). */
export function firefoxLaunch(): LaunchOptions & { channel?: string } {
  return { headless: true, ...(FIREFOX.use.channel === undefined ? {} : { channel: FIREFOX.use.channel }), ...FIREFOX.use.launchOptions };
}

if (import.meta.main) {
  // `node lib/browsers.ts`: one line per browser (name, source, ok|missing, executable or problem); exit 1 when one is missing.
  for (const b of [CHROMIUM, FIREFOX])
    console.log([b.name, b.source, b.executable ? 'ok' : 'missing', b.executable ?? b.problem].join('\t'));
  process.exit(CHROMIUM.executable && FIREFOX.executable ? 0 : 1);
}
