#!/usr/bin/env node
/**
 * `pnpm starter <app> <dir>`: a standalone copy of apps/<app> in <dir>, with
 * the SDK and the broker packed into <dir>/vendor/. It installs with npm and
 * runs on its own (`npm install && npm run dev`). See starters/README.md.
 */
import { resolve } from 'node:path';
import { apps, generateStarter, StarterError } from '../starters/generate.mjs';

const [app, dir, ...extra] = process.argv.slice(2);
if (!app || !dir || extra.length > 0 || app === '--help') {
  console.error(`usage: pnpm starter <app> <dir>    app: ${apps().join(' | ')}`);
  process.exit(2);
}
try {
  // pnpm runs scripts from the repo root: a relative <dir> means where the command was typed.
  const target = resolve(process.env.INIT_CWD ?? process.cwd(), dir);
  const { dir: out, vendored } = generateStarter({ app, dir: target });
  console.log(`starter '${app}' written to ${out}`);
  for (const [name, spec] of Object.entries(vendored)) console.log(`  ${name}  ${spec}`);
  console.log(`\nnext:\n  cd ${out}\n  npm install\n  npm run dev`);
} catch (err) {
  if (!(err instanceof StarterError)) throw err;
  console.error(`starter: ${err.message}`);
  process.exit(1);
}
