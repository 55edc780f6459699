#!/usr/bin/env node
/**
 * Builds dist/ with tsup (see tsup.config.ts) when a source or the build
 * config is newer than the last build; otherwise a quiet no-op, so
 * `scripts/setup.sh` can run it every time. `--force` builds regardless.
 * Afterwards it makes sure both react builds start with `"use client"`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const inputs = ['src', 'package.json', 'tsup.config.ts', 'tsconfig.build.json'].map((p) => join(root, p));
const fresh = existsSync(stamp) && statSync(stamp).mtimeMs >= Math.max(...inputs.map(newest));
if (fresh && !process.argv.includes('--force')) process.exit(0);

rmSync(dist, { recursive: true, force: true });
const tsupPackage = createRequire(join(root, 'package.json')).resolve('tsup/package.json');
const tsupBin = join(dirname(tsupPackage), JSON.parse(readFileSync(tsupPackage, 'utf8')).bin.tsup);
execFileSync(process.execPath, [tsupBin, '--silent'], { cwd: root, stdio: 'inherit' });
for (const file of ['react.js', 'react.cjs']) {
  const path = join(dist, file);
  const text = readFileSync(path, 'utf8');
  if (!/^["']use client["']/.test(text)) writeFileSync(path, `"use client";\n${text}`);
}
writeFileSync(stamp, `${new Date().toISOString()}\n`);
