/** Display helpers. */
export function num(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function rate(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (v >= 10_000) return `${(v / 1000).toFixed(1)}k`;
  return num(v, v < 10 && v % 1 !== 0 ? 1 : 0);
}

export function money(cents: number): string {
  return (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
}

export function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString('en-GB', { hour12: false });
}
