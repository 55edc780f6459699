/**
 * Writes a standalone copy of `apps/<app>` that installs with npm and runs
 * with nothing from the monorepo beside it:
 *
 * - the workspace packages it needs (the SDK, the broker, and whatever those
 *   depend on in the workspace) packed with `pnpm pack` into `vendor/`, after
 *   their own `build` script if they have one; what each tarball contains is
 *   the package's own `files`/`exports`, read, never assumed;
 * - a package.json whose `workspace:` versions are `file:vendor/…` tarballs,
 *   with `overrides` so the vendored packages' dependencies on each other
 *   resolve to the same tarballs (until they are on the registry);
 * - `npm run dev` (scripts/dev.mjs: broker + app), the app's own scripts,
 *   `.env.example` (the app's, plus the local broker's), `.gitignore`, README.
 *
 * Used by `pnpm starter <app> <dir>` (scripts/starter.mjs) and the starter test.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '..');
const TEMPLATE = join(HERE, 'template');
const BROKER = '@switchyard/broker';

/** Never copied into a starter: installs, builds, local data, secrets. */
const IGNORED = new Set([
  'node_modules',
  '.next',
  'dist',
  '.data',
  '.state',
  '.wrangler',
  '.turbo',
  'coverage',
  'test-results',
  'playwright-report',
  '.env',
  '.env.local',
  '.dev.vars',
  'next-env.d.ts',
]);
const IGNORED_SUFFIXES = ['.tsbuildinfo', '.log'];

export class StarterError extends Error {}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** The apps a starter can be made from. */
export function apps(repo = REPO) {
  const dir = join(repo, 'apps');
  return readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, 'package.json')))
    .sort();
}

/** name → directory of every workspace package (pnpm-workspace.yaml's `packages`, `dir` and `dir/*` forms). */
export function workspacePackages(repo = REPO) {
  const yaml = readFileSync(join(repo, 'pnpm-workspace.yaml'), 'utf8');
  const patterns = [...yaml.matchAll(/^\s*-\s*['"]?([^'"\s#]+)['"]?\s*$/gm)].map((m) => m[1]);
  const dirs = patterns.flatMap((p) => {
    if (!p.endsWith('/*')) return [join(repo, p)];
    const parent = join(repo, p.slice(0, -2));
    return existsSync(parent) ? readdirSync(parent).map((d) => join(parent, d)) : [];
  });
  const byName = new Map();
  for (const dir of dirs) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) byName.set(readJson(file).name, dir);
  }
  return byName;
}

/** The workspace package a `workspace:` version names: `workspace:*` (the key) or `workspace:@scope/name@*` (an alias). */
function workspaceTarget(key, spec) {
  const rest = spec.slice('workspace:'.length);
  const alias = /^(@?[^@]+)@/.exec(rest);
  return alias ? alias[1] : key;
}

/** Workspace packages `pkg` needs at run time (an installed package's devDependencies are never installed). */
function workspaceDeps(pkg, fields) {
  return fields.flatMap((field) =>
    Object.entries(pkg[field] ?? {})
      .filter(([, spec]) => typeof spec === 'string' && spec.startsWith('workspace:'))
      .map(([key, spec]) => workspaceTarget(key, spec)),
  );
}

function pnpm(args, cwd) {
  const execpath = process.env.npm_execpath;
  const [cmd, pre] = execpath && /pnpm\.c?js$/.test(execpath) ? [process.execPath, [execpath]] : ['pnpm', []];
  return execFileSync(cmd, [...pre, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Packs one workspace package (after its build) and returns the tarball's path.
 * `cache` (name → path) lets several starters share one packing.
 */
function pack(name, dir, cache) {
  if (cache?.has(name)) return cache.get(name);
  const pkg = readJson(join(dir, 'package.json'));
  try {
    if (pkg.scripts?.build) pnpm(['run', '--silent', 'build'], dir);
    const out = mkdtempSync(join(tmpdir(), 'switchyard-pack-'));
    pnpm(['pack', '--pack-destination', out], dir);
    const [tgz] = readdirSync(out).filter((f) => f.endsWith('.tgz'));
    if (!tgz) throw new StarterError(`pnpm pack wrote no tarball for ${name}`);
    const file = join(out, tgz);
    cache?.set(name, file);
    return file;
  } catch (err) {
    if (err instanceof StarterError) throw err;
    throw new StarterError(`packing ${name} (${relative(REPO, dir)}) failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}

/** The package.json inside a packed tarball. */
function packedManifest(tgz) {
  return JSON.parse(execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }));
}

function copyTree(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (IGNORED.has(entry.name) || IGNORED_SUFFIXES.some((s) => entry.name.endsWith(s))) continue;
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dst);
    else if (entry.isFile()) copyFileSync(src, dst);
  }
}

/** The app's README without its monorepo-only blocks (between `<!-- workspace -->` and `<!-- /workspace -->`). */
function appReadme(text) {
  return text
    .replace(/<!-- workspace -->[\s\S]*?<!-- \/workspace -->\n?/g, '')
    .replace(/^# .*\n+/, '')
    .trim();
}

function envValue(envText, name) {
  return new RegExp(`^${name}=(.*)$`, 'm').exec(envText)?.[1]?.trim();
}

function sourceOf(repo) {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: repo,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return `Switchyard ${commit}`;
  } catch {
    return 'Switchyard';
  }
}

/**
 * @param {{ app: string, dir: string, repo?: string, packCache?: Map<string, string> }} options
 * @returns {{ dir: string, vendored: Record<string, string> }} the starter's folder and its tarballs (name → vendor/ path)
 */
export function generateStarter({ app, dir, repo = REPO, packCache }) {
  const appDir = join(repo, 'apps', app);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(app) || !existsSync(join(appDir, 'package.json'))) {
    throw new StarterError(`no app '${app}': choose one of ${apps(repo).join(', ')}`);
  }
  const target = resolve(dir);
  if (target === repo || target.startsWith(repo + sep)) {
    throw new StarterError(
      `${target} is inside the monorepo; a starter must live outside it (Node would find the monorepo's node_modules)`,
    );
  }
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw new StarterError(`${target} exists and is not an empty directory`);
  }
  const appPkg = readJson(join(appDir, 'package.json'));
  if (!appPkg.scripts?.dev || !appPkg.scripts?.test) throw new StarterError(`apps/${app}/package.json needs a dev and a test script`);
  if (!existsSync(join(appDir, '.env.example'))) throw new StarterError(`apps/${app} has no .env.example`);
  const rootPkg = readJson(join(repo, 'package.json'));
  const packages = workspacePackages(repo);

  // The workspace packages to vendor: the app's, the broker, and theirs, transitively.
  const wanted = [...workspaceDeps(appPkg, ['dependencies', 'devDependencies', 'optionalDependencies']), BROKER];
  const closure = [];
  while (wanted.length > 0) {
    const name = wanted.shift();
    if (closure.includes(name)) continue;
    const pkgDir = packages.get(name);
    if (!pkgDir) throw new StarterError(`apps/${app} needs ${name}, which is no workspace package`);
    closure.push(name);
    wanted.push(...workspaceDeps(readJson(join(pkgDir, 'package.json')), ['dependencies', 'peerDependencies', 'optionalDependencies']));
  }

  if (existsSync(join(appDir, 'scripts', 'dev.mjs')))
    throw new StarterError(`apps/${app}/scripts/dev.mjs would be overwritten by the starter's dev runner`);
  copyTree(appDir, target);
  mkdirSync(join(target, 'vendor'), { recursive: true });
  mkdirSync(join(target, 'scripts'), { recursive: true });

  /** name → `file:vendor/…`, and the tarballs' own manifests. */
  const vendored = {};
  const manifests = {};
  for (const name of closure) {
    const tgz = pack(name, packages.get(name), packCache);
    copyFileSync(tgz, join(target, 'vendor', basename(tgz)));
    vendored[name] = `file:vendor/${basename(tgz)}`;
    manifests[name] = packedManifest(tgz);
  }

  const fromWorkspace = (deps = {}) =>
    Object.fromEntries(
      Object.entries(deps).map(([key, spec]) => [key, spec.startsWith('workspace:') ? vendored[workspaceTarget(key, spec)] : spec]),
    );
  const dependencies = fromWorkspace(appPkg.dependencies);
  const devDependencies = fromWorkspace(appPkg.devDependencies);
  if (!dependencies[BROKER] && !devDependencies[BROKER]) devDependencies[BROKER] = vendored[BROKER];

  // The vendored packages name each other by registry versions (`npm:@switchyard/sdk@1.0.0`): point those at vendor/ too.
  const direct = { ...dependencies, ...devDependencies };
  const overrides = {};
  for (const manifest of Object.values(manifests)) {
    for (const [key, spec] of Object.entries({
      ...manifest.dependencies,
      ...manifest.optionalDependencies,
      ...manifest.peerDependencies,
    })) {
      const target = /^npm:(@?[^@]+)@/.exec(spec)?.[1] ?? key;
      if (!vendored[target]) continue;
      overrides[key] = direct[key] === vendored[target] ? `$${key}` : vendored[target];
    }
  }

  const { dev, ...appScripts } = appPkg.scripts;
  const pkg = {
    name:
      basename(target)
        .toLowerCase()
        .replace(/[^a-z0-9._~-]+/g, '-')
        .replace(/^[._-]+/, '') || app,
    version: '0.1.0',
    private: true,
    ...(appPkg.type ? { type: appPkg.type } : {}),
    description: appPkg.description,
    engines: appPkg.engines ?? rootPkg.engines,
    scripts: {
      dev: 'node scripts/dev.mjs',
      'dev:app': dev,
      ...appScripts,
      broker: 'node scripts/dev.mjs --broker-only',
      'broker:deploy': 'switchyard-broker deploy',
    },
    dependencies,
    devDependencies,
    ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
  };
  writeFileSync(join(target, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  copyFileSync(join(TEMPLATE, 'dev.mjs'), join(target, 'scripts', 'dev.mjs'));

  const appEnv = readFileSync(join(appDir, '.env.example'), 'utf8').trimEnd();
  writeFileSync(
    join(target, '.env.example'),
    `${appEnv}

# --- The local broker (\`npm run dev\` starts it on PUSHFLO_BASE_URL's port while that is 127.0.0.1 or localhost) ---
# Its Durable Object state.
BROKER_STATE_DIR=.data/broker
# Its settings (node_modules/@switchyard/broker/README.md), e.g.:
# HISTORY_TTL_SECONDS=86400
# HISTORY_MAX_MESSAGES=10000
`,
  );
  writeFileSync(
    join(target, '.gitignore'),
    ['node_modules/', '.data/', '.env', '.next/', 'next-env.d.ts', 'dist/', '.wrangler/', '*.tsbuildinfo', '*.log', ''].join('\n'),
  );

  const readmeFile = join(appDir, 'README.md');
  const readme = existsSync(readmeFile) ? readFileSync(readmeFile, 'utf8') : `# ${app}\n`;
  const registry = closure
    .map((name) => {
      const version = manifests[name].version;
      const key = Object.keys(direct).find((k) => direct[k] === vendored[name]);
      return key && key !== name ? `\`"${key}": "npm:${name}@^${version}"\`` : `\`"${name}": "^${version}"\``;
    })
    .join(', ');
  const fill = {
    title: /^# (.*)$/m.exec(readme)?.[1] ?? app,
    app,
    source: sourceOf(repo),
    port: envValue(appEnv, 'PORT') ?? '3000',
    node: `${(pkg.engines?.node ?? '>=22.18').replace(/^>=\s*/, '')}+`,
    switch: `in package.json, set ${registry}, delete \`overrides\` and \`vendor/\`, and run \`npm install\`.`,
    readme: appReadme(readme),
  };
  const text = readFileSync(join(TEMPLATE, 'README.md'), 'utf8').replace(/\{\{(\w+)\}\}/g, (m, k) => fill[k] ?? m);
  writeFileSync(join(target, 'README.md'), text);
  return { dir: target, vendored };
}
