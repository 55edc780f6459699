/**
 * The package as the public SDK ships it: ESM (`.js`) and CommonJS (`.cjs`)
 * for each entry, with types for each (`.d.ts`, `.d.cts`). One build for all
 * entries with shared chunks, so a class (`PushFloError`, `PushFloClient`) is
 * one class whichever entry it was imported from. `scripts/build.mjs` runs it
 * (only when the sources changed) and puts `"use client"` back at the top of
 * the react entry, which bundling drops.
 */
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', server: 'src/server.ts', react: 'src/react.ts', protocol: 'src/protocol/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['react', 'react/jsx-runtime'],
  tsconfig: 'tsconfig.build.json',
});
