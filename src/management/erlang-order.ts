import type { Json } from './json.js';

/**
 * RabbitMQ sorts lists by Erlang term order: numbers < atoms (true, false, null) < lists (JSON
 * arrays and objects, which are proplists) < binaries (strings). Missing values sort as 0.
 */
function rank(v: Json | undefined): number {
  if (v === undefined || typeof v === 'number') return 0;
  if (typeof v === 'boolean' || v === null) return 1;
  if (typeof v === 'string') return 3;
  return 2;
}

function atomName(v: boolean | null): string {
  return v === null ? 'null' : String(v);
}

export function compareTerms(a: Json | undefined, b: Json | undefined): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return ((a as number | undefined) ?? 0) - ((b as number | undefined) ?? 0);
  if (ra === 1) return compareStrings(atomName(a as boolean | null), atomName(b as boolean | null));
  if (ra === 3) return compareStrings(a as string, b as string);
  return compareStrings(JSON.stringify(a), JSON.stringify(b));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two sort keys (lists of terms) element by element. */
export function compareKeys(a: readonly (Json | undefined)[], b: readonly (Json | undefined)[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareTerms(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}
