/**
 * Channel names. The public PushFlo SDK accepts only slugs (`[a-z0-9-]`); the
 * docs name channels `orders:user-123`. This SDK accepts both, everywhere, and
 * refuses anything else before a byte is sent.
 */
import { channelNameProblem, ErrorCode, isValidChannelName, MAX_CHANNEL_NAME_LENGTH } from './protocol/index.js';
import { ValidationError } from './errors.js';

export { isValidChannelName, MAX_CHANNEL_NAME_LENGTH };

/** Longest plain slug. */
export const MAX_SLUG_LENGTH = 128;
/** Shortest plain slug. */
export const MIN_SLUG_LENGTH = 1;

const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * True for a plain slug: lowercase letters, digits and single hyphens, 1–128 characters.
 * @example
 * ```ts
 * isValidChannelSlug('live-scores'); // true
 * isValidChannelSlug('orders:user-1'); // false (a namespaced name; see isValidChannelName)
 * ```
 */
export function isValidChannelSlug(slug: string): boolean {
  return typeof slug === 'string' && slug.length >= MIN_SLUG_LENGTH && slug.length <= MAX_SLUG_LENGTH && SLUG_RE.test(slug);
}

/**
 * Turns any text into a valid slug.
 * @example
 * ```ts
 * toChannelSlug('My Channel!'); // 'my-channel'
 * ```
 */
export function toChannelSlug(text: string): string {
  return text
    .toLowerCase()
    .trim()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/-+$/g, '');
}

/** Result of `validateChannelSlug`. */
export interface SlugValidationResult {
  valid: boolean;
  error?: string;
  suggestion?: string;
}

/**
 * Checks a channel name (slug or namespaced) and explains what is wrong.
 * @example
 * ```ts
 * validateChannelSlug('Bad Name'); // { valid: false, error: '…', suggestion: 'bad-name' }
 * ```
 */
export function validateChannelSlug(name: string): SlugValidationResult {
  const problem = channelNameProblem(name);
  if (problem === null) return { valid: true };
  const suggestion = typeof name === 'string' ? toChannelSlug(name) : '';
  return suggestion ? { valid: false, error: problem, suggestion } : { valid: false, error: problem };
}

/** Throws a ValidationError unless `name` is a valid channel name. */
export function assertChannelName(name: string): void {
  const result = validateChannelSlug(name);
  if (!result.valid) {
    throw new ValidationError(
      result.suggestion ? `${result.error}. Suggested: '${result.suggestion}'` : (result.error ?? 'invalid channel name'),
      ErrorCode.INVALID_CHANNEL,
    );
  }
}
