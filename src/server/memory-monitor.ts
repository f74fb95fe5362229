import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

/**
 * RabbitMQ's memory alarm: above the high watermark (a fraction of the machine's memory, 0.4 by
 * default) publishers are blocked until memory falls back. Node adds a second limit of its own,
 * the V8 heap, which holds the per-message bookkeeping: the alarm also goes off at 80% of it.
 */
export class MemoryMonitor {
  readonly limitBytes: number;
  private readonly heapLimit: number;

  constructor(relativeWatermark: number) {
    this.limitBytes = Math.floor(totalmem() * relativeWatermark);
    this.heapLimit = getHeapStatistics().heap_size_limit * 0.8;
  }

  /** True while memory use is above either limit. */
  overLimit(): boolean {
    const usage = process.memoryUsage();
    return usage.rss > this.limitBytes || usage.heapUsed > this.heapLimit;
  }
}
