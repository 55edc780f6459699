/**
 * `pnpm starter`, end to end: every app is generated into a temp folder,
 * moved to another one (nothing may point back), installed with npm, tested
 * with `npm test`, started with `npm run dev` on free ports and used for one
 * real round trip through its broker, then stopped with SIGINT, after which
 * nothing of it may still run or listen.
 *
 * The npm installs run in parallel up front (they are the cost; npm's cache is
 * shared); STARTER_APPS=chat,game limits the apps.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { apps, generateStarter, REPO, StarterError } from '../generate.mjs';
import { findNpm, freePort, portOpen, processesIn, run, startGroup, userEnv, waitOk } from './processes.mjs';
import { ROUND_TRIPS } from './roundtrips.mjs';

const ALL = apps();
const SELECTED = process.env.STARTER_APPS ? process.env.STARTER_APPS.split(',').map((s) => s.trim()) : ALL;
const WORK = mkdtempSync(join(tmpdir(), 'switchyard-starters-'));
const packCache = new Map();
const npm = findNpm();
const t0 = Date.now();

after(() => {
  rmSync(WORK, { recursive: true, force: true });
  console.log(`# starter test: ${((Date.now() - t0) / 1000).toFixed(0)} s for ${SELECTED.join(', ')}`);
});

/** Generates `app`, then moves it to a fresh folder: the starter must not depend on where it was written. */
function generateMoved(app) {
  const first = join(WORK, `${app}-generated`);
  generateStarter({ app, dir: first, packCache });
  const dir = join(WORK, `${app}-moved`, `my-${app}`);
  mkdirSync(join(dir, '..'), { recursive: true });
  cpSync(first, dir, { recursive: true });
  rmSync(first, { recursive: true, force: true });
  return dir;
}

const starters = new Map();
for (const app of SELECTED) {
  const dir = generateMoved(app);
  const install = run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: dir,
    env: userEnv(),
    timeoutMs: 420_000,
  });
  install.catch(() => {}); // awaited (and reported) by the app's test
  starters.set(app, { dir, install });
}

test('every app reads its settings in one config file, and its .env.example lists exactly those', () => {
  for (const app of ALL) {
    const appDir = join(REPO, 'apps', app);
    const configFile = ['server/config.ts', 'lib/config.ts'].map((f) => join(appDir, f)).find((f) => existsSync(f));
    assert.ok(configFile, `apps/${app} has a config.ts`);
    // `process.env.NAME`, or a quoted 'NAME' handed to a helper that reads process.env[name].
    const configNames = new Set(
      [...readFileSync(configFile, 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]*)|'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1] ?? m[2]),
    );
    const scriptNames = new Set(
      [...readFileSync(join(appDir, 'package.json'), 'utf8').matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]),
    ); // orders: `next --port ${PORT:-3001}`
    const listed = new Set([...readFileSync(join(appDir, '.env.example'), 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    for (const n of configNames)
      assert.ok(listed.has(n), `apps/${app}/.env.example lists ${n} (read in ${configFile.slice(appDir.length + 1)})`);
    for (const n of listed) assert.ok(configNames.has(n) || scriptNames.has(n), `apps/${app} reads ${n}, which its .env.example lists`);
    for (const sub of ['server', 'lib', 'app']) {
      const root = join(appDir, sub);
      if (!existsSync(root)) continue;
      for (const file of readdirSync(root, { recursive: true })
        .map(String)
        .filter((f) => /\.tsx?$/.test(f))) {
        const path = join(root, file);
        if (path === configFile) continue;
        assert.doesNotMatch(readFileSync(path, 'utf8'), /process\.env/, `apps/${app}/${sub}/${file} reads process.env outside config.ts`);
      }
    }
  }
});

test('the generated package.json has no workspace: version, only vendored tarballs; README and .env.example are complete', () => {
  const dir = join(WORK, 'shape');
  const { vendored } = generateStarter({ app: 'chat', dir, packCache });
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  assert.doesNotMatch(JSON.stringify(pkg), /workspace:/);
  assert.match(pkg.dependencies['@pushflodev/sdk'], /^file:vendor\/.+\.tgz$/, 'the app still imports @pushflodev/sdk');
  assert.match(pkg.devDependencies['@switchyard/broker'], /^file:vendor\/.+\.tgz$/);
  for (const spec of Object.values(vendored)) assert.ok(existsSync(join(dir, spec.slice('file:'.length))), spec);
  assert.deepEqual(
    readdirSync(join(dir, 'vendor')).sort(),
    Object.values(vendored)
      .map((s) => s.slice('file:vendor/'.length))
      .sort(),
  );
  assert.equal(pkg.engines.node, '>=22.18');
  assert.equal(pkg.scripts.dev, 'node scripts/dev.mjs');
  assert.ok(pkg.scripts.test && pkg.scripts['dev:app'] && pkg.scripts['broker:deploy']);
  for (const ignored of ['node_modules', '.data', 'dist', '.env']) assert.ok(!existsSync(join(dir, ignored)), `${ignored} is not copied`);
  const env = readFileSync(join(dir, '.env.example'), 'utf8');
  for (const name of ['PUSHFLO_BASE_URL', 'PUSHFLO_PUBLISH_KEY', 'PUSHFLO_SECRET_KEY', 'PORT', 'CHAT_DB', 'BROKER_STATE_DIR'])
    assert.match(env, new RegExp(`^${name}=`, 'm'));
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  assert.doesNotMatch(readme, /<!-- \/?workspace -->|\{\{\w+\}\}|\.\/dev\b|pnpm --filter/);
  for (const needed of [
    'npm install',
    'npm run dev',
    'npm test',
    'PUSHFLO_BASE_URL=https://',
    'npm run broker:deploy',
    'secret put SECRET_KEYS',
    'npm:@switchyard/sdk@^',
  ]) {
    assert.ok(readme.includes(needed), `README mentions ${needed}`);
  }
});

test('clear errors: an unknown app, a folder inside the monorepo, a non-empty folder', () => {
  assert.throws(
    () => generateStarter({ app: 'nope', dir: join(WORK, 'x') }),
    (e) => e instanceof StarterError && /choose one of .*chat/.test(e.message),
  );
  assert.throws(
    () => generateStarter({ app: 'chat', dir: join(REPO, 'tmp-starter') }),
    (e) => e instanceof StarterError && /inside the monorepo/.test(e.message),
  );
  const full = join(WORK, 'full');
  mkdirSync(full);
  writeFileSync(join(full, 'keep.txt'), 'mine');
  assert.throws(
    () => generateStarter({ app: 'chat', dir: full }),
    (e) => e instanceof StarterError && /not an empty directory/.test(e.message),
  );
  assert.equal(readFileSync(join(full, 'keep.txt'), 'utf8'), 'mine');
  assert.ok(!existsSync(join(REPO, 'tmp-starter')));
});

for (const app of SELECTED) {
  test(`${app}: npm install, npm test, npm run dev with its broker, a round trip, Ctrl-C leaves nothing`, {
    timeout: 600_000,
  }, async () => {
    assert.ok(ROUND_TRIPS[app], `starters/test/roundtrips.mjs has a round trip for ${app}`);
    const { dir, install } = starters.get(app);
    await install;
    assert.ok(!existsSync(join(dir, 'node_modules', '.pnpm')), 'installed by npm, not linked into the workspace');

    const tested = await run(npm, ['test'], { cwd: dir, env: userEnv(), timeoutMs: 180_000 });
    assert.match(tested, /^(ℹ|#) pass [1-9]/m, tested.slice(-2000));
    assert.match(tested, /^(ℹ|#) fail 0$/m, tested.slice(-2000));
    // The types resolve from the vendored tarballs too (the SDK's `exports` types, @types/node, …).
    await run(npm, ['run', 'typecheck'], { cwd: dir, env: userEnv(), timeoutMs: 180_000 });

    const [brokerPort, appPort] = [await freePort(), await freePort()];
    const broker = `http://127.0.0.1:${brokerPort}`;
    const appUrl = `http://127.0.0.1:${appPort}`;
    const dev = startGroup(npm, ['run', 'dev'], { cwd: dir, env: userEnv({ PUSHFLO_BASE_URL: broker, PORT: String(appPort) }) });
    const alive = () => dev.child.exitCode === null && dev.child.signalCode === null;
    let stopped;
    try {
      await waitOk(`${broker}/health`, { timeoutMs: 120_000, alive, what: `${app} broker` });
      await waitOk(`${appUrl}/api/health`, { timeoutMs: 180_000, alive, what: app });
      await ROUND_TRIPS[app]({ app: appUrl, broker });
    } catch (err) {
      err.message += `\n--- npm run dev output ---\n${dev.output().slice(-4000)}`;
      throw err;
    } finally {
      stopped = await dev.stop();
    }
    assert.equal(stopped.timedOut, false, `npm run dev stopped within 30 s of SIGINT:\n${dev.output().slice(-2000)}`);
    const out = dev.output();
    assert.match(out, /^\[broker\] +switchyard-broker ready on/m, 'broker output is labelled');
    assert.match(
      out,
      /^\[broker\] +dev keys \(local only\): pub_local_dev {2}sec_local_dev {2}mgmt_local_dev/m,
      'the dev keys are printed',
    );
    assert.match(out, /^\[app\] /m, 'app output is labelled');
    assert.ok(existsSync(join(dir, '.data', 'broker')), 'the broker keeps its state in .data/broker');
    assert.ok(
      readdirSync(join(dir, '.data')).some((f) => f.endsWith('.db')),
      `the app keeps its database in .data/: ${readdirSync(join(dir, '.data'))}`,
    );

    // Ctrl-C: everything goes within a few seconds (the broker's workerd last).
    let left = processesIn(dir);
    for (const deadline = Date.now() + 10_000; left.length > 0 && Date.now() < deadline; left = processesIn(dir)) {
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const { pid } of left) {
      try {
        process.kill(pid, 'SIGKILL'); // the test fails below; it still leaves nothing behind
      } catch {
        // gone
      }
    }
    assert.deepEqual(
      left.map((p) => p.cmd),
      [],
      'nothing of the starter is still running',
    );
    assert.equal(await portOpen(brokerPort), false, 'the broker port is closed');
    assert.equal(await portOpen(appPort), false, 'the app port is closed');
  });
}

test('npm run broker:deploy wraps wrangler deploy: a dry run bundles the Worker from the installed package', {
  timeout: 600_000,
}, async () => {
  const { dir, install } = starters.get(SELECTED[0]);
  await install;
  const outdir = join(WORK, 'deploy-bundle');
  const out = await run(npm, ['run', 'broker:deploy', '--', '--dry-run', '--outdir', outdir], {
    cwd: dir,
    env: userEnv({ CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' }),
    timeoutMs: 180_000,
  });
  assert.match(out, /--dry-run: exiting now/);
  const bundle = readFileSync(join(outdir, 'index.js'), 'utf8');
  const exported = /export\s*\{([^}]*)\}\s*;?\s*(\/\/# sourceMappingURL=.*)?$/.exec(bundle.trimEnd())?.[1] ?? '';
  for (const name of ['ChannelObject', 'ShardObject', 'RegistryObject', 'RateLimiterObject', 'StatsObject']) {
    assert.match(exported, new RegExp(`\\b${name}\\b`), `the bundle exports the Durable Object ${name}`);
  }
  assert.match(bundle, /PROTOCOL_VERSION|protocolVersion/i, 'the SDK protocol module is bundled in');
});
