/**
 * Channel names. Two forms are accepted, so both the public SDK's slugs and the
 * documented names work end to end:
 *
 * - slugs: `[a-z0-9-]`, e.g. `live-scores`
 * - namespaced: segments joined by `:`, e.g. `orders:user-123`, `private:team-7`
 *
 * Each segment starts with a letter or digit and may contain letters, digits
 * and `_ - . = @`. Whole name: 1–128 characters, no empty segment.
 */
export const MAX_CHANNEL_NAME_LENGTH = 128;

const SEGMENT = '[A-Za-z0-9][A-Za-z0-9_.=@-]*';
const CHANNEL_RE = new RegExp(`^${SEGMENT}(?::${SEGMENT})*$`);

/** Why a channel name was refused, or null when it is fine. */
export function channelNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'channel name must be a non-empty string';
  if (name.length > MAX_CHANNEL_NAME_LENGTH) return `channel name is ${name.length} characters; the limit is ${MAX_CHANNEL_NAME_LENGTH}`;
  if (!CHANNEL_RE.test(name))
    return `invalid channel name '${name}': use a slug like 'live-scores' or a namespaced name like 'orders:user-123' (letters, digits, and _ - . = @ inside segments separated by ':')`;
  return null;
}

export function isValidChannelName(name: unknown): name is string {
  return channelNameProblem(name) === null;
}
