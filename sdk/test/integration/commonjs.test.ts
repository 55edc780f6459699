/**
 * A plain CommonJS project (test/fixtures/commonjs-project, `"type": "commonjs"`)
 * with the SDK installed as npm would install it (the packed tarball, so only
 * what `files` ships), requiring all three entries and using them against the
 * real broker. Before the CommonJS build this failed with ERR_PACKAGE_PATH_NOT_EXPORTED.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consumerProject, type Project } from './packed.js';

let project: Project;
beforeAll(() => {
  project = consumerProject('commonjs-project');
  // React is the app's own dependency (an optional peer of the SDK).
  project.link('react');
});
afterAll(() => project?.remove());

describe('a CommonJS project', () => {
  it('requires @pushflodev/sdk, /server and /react and uses them against the broker', () => {
    const channel = `cjs-${Date.now().toString(36)}`;
    const stdout = execFileSync(process.execPath, ['index.js'], {
      cwd: project.dir,
      env: { ...process.env, BROKER_URL: inject('brokerUrl'), CHANNEL: channel },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(out.resolved.index).toMatch(/node_modules\/@pushflodev\/sdk\/dist\/index\.cjs$/);
    expect(out.resolved.server).toMatch(/dist\/server\.cjs$/);
    expect(out.resolved.react).toMatch(/dist\/react\.cjs$/);
    expect(out.exports).toEqual({
      index: 'function',
      server: ['function', 'function', 128],
      react: ['function', 'function', 'function', 'function'],
      protocol: 'object',
    });
    expect(out.sameErrorClass).toBe(true);
    expect(out.slug).toBe(true);
    expect(out.validation).toBe(true);
    expect(out.received).toEqual({ id: out.published, content: { from: 'commonjs' }, eventType: 'cjs-test' });
    expect(out.history).toEqual([out.published]);
  });
});
