/**
 * Small primitives shared by the generated codec and the field-table codec.
 * Hand-written; kept tiny so that V8 inlines them into the generated per-method code.
 */

const TWO32 = 0x1_0000_0000;

/** Writes a shortstr (1-byte length + UTF-8). Throws a RangeError if longer than 255 bytes. */
export function writeShortStr(b: Buffer, p: number, s: string): number {
  const n = s.length;
  if (n < 64) {
    // ASCII fast path: byte loop beats a native call for short strings.
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      b[p + 1 + i] = c;
    }
    if (i === n) {
      b[p] = n;
      return p + 1 + n;
    }
  }
  const len = Buffer.byteLength(s, 'utf8');
  if (len > 255) throw new RangeError(`shortstr too long (${len} bytes): ${s.slice(0, 40)}...`);
  b[p] = len;
  b.write(s, p + 1, len, 'utf8');
  return p + 1 + len;
}

/** Encoded size of a shortstr including its length octet. */
export function shortStrSize(s: string): number {
  return 1 + Buffer.byteLength(s, 'utf8');
}

/** Reads a shortstr body of `len` bytes at `p` as UTF-8 (no bounds checks: caller checked). */
export function readStr(b: Buffer, p: number, len: number): string {
  // Buffer#toString beats a JS byte loop from ~4 ASCII bytes on (measured on Node 20).
  return len === 0 ? '' : b.toString('utf8', p, p + len);
}

/** Writes a longstr (4-byte length + bytes). */
export function writeLongStr(b: Buffer, p: number, v: Uint8Array): number {
  const n = v.length;
  b[p] = n >>> 24;
  b[p + 1] = (n >>> 16) & 0xff;
  b[p + 2] = (n >>> 8) & 0xff;
  b[p + 3] = n & 0xff;
  b.set(v, p + 4);
  return p + 4 + n;
}

/** Writes an unsigned 64-bit integer given as a (non-negative, integral) number. */
export function writeU64(b: Buffer, p: number, v: number): number {
  const hi = Math.floor(v / TWO32);
  const lo = v - hi * TWO32;
  b[p] = hi >>> 24;
  b[p + 1] = (hi >>> 16) & 0xff;
  b[p + 2] = (hi >>> 8) & 0xff;
  b[p + 3] = hi & 0xff;
  b[p + 4] = lo >>> 24;
  b[p + 5] = (lo >>> 16) & 0xff;
  b[p + 6] = (lo >>> 8) & 0xff;
  b[p + 7] = lo & 0xff;
  return p + 8;
}

/** Writes an unsigned 32-bit integer (ToUint32 semantics, never throws). */
export function writeU32(b: Buffer, p: number, v: number): number {
  b[p] = v >>> 24;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
  return p + 4;
}

/** Reads a 32-bit unsigned integer (caller checked bounds). */
export function readU32(b: Buffer, p: number): number {
  return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
}

/**
 * Reads an unsigned 64-bit integer as a number, or returns -1 when it exceeds
 * Number.MAX_SAFE_INTEGER (caller turns that into its own error).
 */
export function readU64(b: Buffer, p: number): number {
  const hi = readU32(b, p);
  if (hi > 0x1fffff) return -1;
  return hi * TWO32 + readU32(b, p + 4);
}
