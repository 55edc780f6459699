/** The one settings table: parsing, refusal of bad values, and the README table printed from it. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSettings, SETTINGS, SettingsError, settingsProblems, settingsTable } from '../../src/settings';
import { localVars, settingsFromEnv } from '../../scripts/launcher.mjs';

const README = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');

describe('settings', () => {
  it('defaults every setting and parses units', () => {
    const s = parseSettings({});
    expect(s).toMatchObject({ shardCount: 16, historyTtlMs: 86_400_000, idempotencyWindowMs: 300_000, slowConsumerBytes: 2_097_152 });
    expect(parseSettings({ HISTORY_TTL_SECONDS: '60', SHARD_COUNT: ' 3 ' })).toMatchObject({ historyTtlMs: 60_000, shardCount: 3 });
  });

  it('refuses a value out of range or not an integer, naming the setting, its range and meaning', () => {
    expect(() => parseSettings({ IDEMPOTENCY_WINDOW_SECONDS: '60' })).toThrow(SettingsError);
    const problems = settingsProblems({ IDEMPOTENCY_WINDOW_SECONDS: '60', SHARD_COUNT: '2.5', ALLOW_DEV_KEYS: 'yes', MAX_REPLAY: '' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toContain('IDEMPOTENCY_WINDOW_SECONDS="60" is not an integer from 120 to 86400 (s; default 300)');
    expect(problems.join('\n')).toContain('SHARD_COUNT="2.5"');
    expect(problems.join('\n')).toContain("ALLOW_DEV_KEYS=\"yes\" must be 'true' or 'false'");
  });

  it('passes every setting through from the environment, over the local defaults', () => {
    const env = Object.fromEntries(SETTINGS.map((s) => [s.name, s.kind === 'int' ? String(s.min) : 'true']));
    expect(Object.keys(settingsFromEnv({ ...env, PATH: '/bin', PORT: '1' })).sort()).toEqual(SETTINGS.map((s) => s.name).sort());
    expect(localVars({})).toEqual({ ALLOW_DEV_KEYS: 'true', SHARD_COUNT: '1', ALLOWED_ORIGINS: '*', TOKEN_REQUESTS_PER_MINUTE: '6000' });
    expect(localVars({ SHARD_COUNT: '5' })).toMatchObject({ SHARD_COUNT: '5' });
  });

  it("broker/README.md's settings table is the one printed from the table", () => {
    expect(readFileSync(README, 'utf8')).toContain(settingsTable());
  });
});
