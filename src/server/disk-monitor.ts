import { statfs } from 'node:fs';

/**
 * Free space on the data directory's file system against disk_free_limit. Checks run in the
 * thread pool, one at a time.
 */
export class DiskMonitor {
  private checking = false;

  constructor(
    private readonly dir: string,
    private limit: number,
  ) {}

  setLimit(bytes: number): void {
    this.limit = bytes;
  }

  /** Calls `report` with whether free space is below the limit (not at all if it can't tell). */
  check(report: (low: boolean, free: number, limit: number) => void): void {
    if (this.checking) return;
    this.checking = true;
    statfs(this.dir, (err, stats) => {
      this.checking = false;
      if (err !== null) return;
      const free = stats.bavail * stats.bsize;
      report(free < this.limit, free, this.limit);
    });
  }
}
