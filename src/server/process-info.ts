import { readdirSync, readFileSync } from 'node:fs';

/** Open file descriptors of this process (Linux /proc); undefined where that cannot be read. */
export function openFileDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

let limit: number | undefined | null = null;

/** The soft limit on open files (Linux /proc, read once); undefined where it cannot be read. */
export function fileDescriptorLimit(): number | undefined {
  if (limit === null) {
    try {
      const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
      limit = m === null ? undefined : Number(m[1]);
    } catch {
      limit = undefined;
    }
  }
  return limit;
}
