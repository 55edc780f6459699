/** Starts one real broker (wrangler dev on workerd) for the integration tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
// @ts-expect-error -- plain ESM launcher without types
import { startBroker } from '../../../broker/scripts/launcher.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    brokerUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const stateDir = mkdtempSync(join(tmpdir(), 'sdk-it-'));
  const broker = await startBroker({ port: 0, stateDir, stdio: 'ignore' });
  project.provide('brokerUrl', broker.url);
  return async () => {
    await broker.stop();
    rmSync(stateDir, { recursive: true, force: true });
  };
}
