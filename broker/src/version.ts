/**
 * The broker's version, as `/health` reports it: read from package.json when
 * the Worker is bundled (esbuild inlines only this field), so it cannot drift.
 */
import { version } from '../package.json';

export const VERSION: string = version;
