/** Display helpers. */

const PALETTE = ['#4f46e5', '#0891b2', '#059669', '#d97706', '#dc2626', '#db2777', '#7c3aed', '#2563eb'];

/** A stable colour per user id. */
export function colorFor(id: string): string {
  let h = 2166136261; // FNV-1a
  for (const ch of id) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return PALETTE[(h >>> 0) % PALETTE.length]!;
}

/** Up to two initials. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')).toUpperCase();
}

export function time(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function day(ms: number): string {
  const d = new Date(ms);
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return 'Today';
  const yesterday = new Date(today.getTime() - 86_400_000);
  if (d.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return d.toLocaleDateString([], { weekday: 'long', month: 'short', day: 'numeric' });
}

/** "Ana is typing…", "Ana and Ben are typing…", "3 people are typing…". */
export function typingText(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/** "last seen just now", "last seen 5 min ago", "last seen 3 h ago", "last seen Mar 3" (from the broker's member_removed webhook). */
export function lastSeenText(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return 'last seen just now';
  if (s < 3600) return `last seen ${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `last seen ${Math.floor(s / 3600)} h ago`;
  return `last seen ${new Date(at).toLocaleDateString([], { month: 'short', day: 'numeric' })}`;
}
