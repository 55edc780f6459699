#!/usr/bin/env node
// Prints the size of the bundle `wrangler deploy --dry-run --outdir dist` wrote, and fails if there is none.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const code = readFileSync(new URL('../dist/index.js', import.meta.url));
const kib = (n) => (n / 1024).toFixed(1);
console.log(`bundle: dist/index.js ${kib(code.length)} KiB, ${kib(gzipSync(code).length)} KiB gzipped`);
