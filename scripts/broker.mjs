#!/usr/bin/env node
/**
 * `pnpm broker`: the broker alone, on 127.0.0.1:8787 (PORT), state in
 * .state/broker (BROKER_STATE_DIR), every broker setting from the environment
 * (table: broker/README.md). It serves the deploy bundle on one workerd with
 * direct sockets and rebuilds and restarts on a source change (same state:
 * clients reconnect and resume). Ctrl-C stops it and everything it started.
 *
 *   pnpm broker                       # or: node scripts/broker.mjs
 *   pnpm broker -- --no-watch         # no rebuild on change
 *   pnpm broker -- --wrangler         # through `wrangler dev` instead (slower: a proxy relays every frame)
 */
import { runCli } from '../broker/scripts/launcher.mjs';

await runCli(process.argv.slice(2));
