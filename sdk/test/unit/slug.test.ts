import { describe, expect, it } from 'vitest';
import { isValidChannelSlug, MAX_SLUG_LENGTH, toChannelSlug, validateChannelSlug } from '../../src/server.js';

// ../shared/pushflo-protocol.md: the public check accepts [a-z0-9-] slugs of 1–128 characters.
describe('channel slugs', () => {
  it('accepts 1 to 128 characters and refuses 129', () => {
    expect(MAX_SLUG_LENGTH).toBe(128);
    expect(isValidChannelSlug('a'.repeat(128))).toBe(true);
    expect(isValidChannelSlug('a'.repeat(129))).toBe(false);
    expect(validateChannelSlug('a'.repeat(129)).valid).toBe(false);
    expect(isValidChannelSlug('')).toBe(false);
  });

  it('toChannelSlug cuts to the longest slug', () => {
    expect(toChannelSlug('x'.repeat(300)).length).toBeLessThanOrEqual(128);
  });
});
