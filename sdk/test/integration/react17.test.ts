/**
 * The react entry on React 17 (the oldest the peer range allows): an app with
 * react@17.0.2 and react-test-renderer@17.0.2 (legacy root) renders the
 * provider and `useChannel`/`usePushFlo`, subscribes to the real broker and
 * shows what the server publishes. The hooks use only React 16.8 hooks and
 * the automatic JSX runtime (React 17+).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consumerProject, type Project } from './packed.js';

let project: Project;
beforeAll(() => {
  project = consumerProject('react17-project');
  project.link('react', 'react17');
  project.link('react-test-renderer', 'react-test-renderer17');
});
afterAll(() => project?.remove());

describe('React 17', () => {
  it('runs PushFloProvider, useChannel and usePushFlo against the broker', () => {
    const channel = `react17-${Date.now().toString(36)}`;
    const stdout = execFileSync(process.execPath, ['--preserve-symlinks', 'index.js'], {
      cwd: project.dir,
      env: { ...process.env, BROKER_URL: inject('brokerUrl'), CHANNEL: channel },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(out.react).toBe('17.0.2');
    expect(out.state).toBe('connected');
    expect(out.client).toMatch(/^client_/);
    // maxMessages: 2 keeps the latest two.
    expect(out.items).toEqual(['two', 'three']);
  });
});
