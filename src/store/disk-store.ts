import { closeSync, existsSync, fdatasyncSync, fsync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { QueueEntry } from '../queue/message.js';
import { AppendFile } from './append-file.js';
import { QueueStore, type QueueStoreOwner, type RecoveryDamage } from './queue-store.js';
import { encodeRecord, scanRecords } from './record.js';

export interface DiskStoreOptions {
  readonly dir: string;
  /** fdatasync before confirming (default). Off: confirmed once written to the OS. */
  readonly fsync: boolean;
  /** Size at which a queue starts a new segment file. */
  readonly segmentSize: number;
  readonly log: Logger;
}

/** The definitions log is compacted while running once it is this large and 4× its last snapshot. */
const COMPACT_DEFINITIONS_AT = 1024 * 1024;

/** Open descriptors beyond which idle files are closed after a commit. */
const MAX_OPEN_FILES = 1000;

const DEFINITIONS = 'definitions.log';
const CLEAN_SHUTDOWN = 'clean-shutdown';
const LOCK = 'warren.pid';

/** Called when everything written before it is on disk; ok is false if a write or sync failed. */
export type DurableCallback = (ok: boolean) => void;

/**
 * The broker's storage engine: the definitions log, one QueueStore per durable queue, and group
 * commit. Everything appended during an event-loop turn is written at the end of the turn with
 * one writev per file; then every written file is fdatasync'ed in parallel, and the callbacks
 * waiting for durability (publisher confirms, declare-oks) run once all syncs are done. While a
 * sync runs, new work accumulates for the next one, so one sync serves everything pending at
 * that moment.
 */
export class DiskStore implements QueueStoreOwner {
  readonly bytesWrittenCounter = { value: 0 };
  syncs = 0;
  /** False when the previous run did not shut down cleanly (a crash or kill -9). */
  readonly cleanStart: boolean;
  /** Incremented by every definitions record, so callers can tell whether they wrote one. */
  definitionsGeneration = 0;
  private readonly dirty = new Set<AppendFile>();
  private readonly unsynced = new Set<AppendFile>();
  private readonly dirsToSync = new Set<string>();
  private readonly ackStores = new Set<QueueStore>();
  private readonly emptyHeads = new Set<QueueStore>();
  private waiters: DurableCallback[] = [];
  private commitScheduled = false;
  private syncing = false;
  private readonly openFiles = new Set<AppendFile>();
  private commitNumber = 0;
  private definitions: AppendFile;
  private snapshotSize = 0;
  private shutDown = false;
  private readonly log: Logger;
  private readonly queuesDir: string;

  constructor(private readonly options: DiskStoreOptions) {
    this.log = options.log;
    const dir = options.dir;
    this.queuesDir = join(dir, 'queues');
    mkdirSync(this.queuesDir, { recursive: true });
    lockDataDir(dir);
    const marker = join(dir, CLEAN_SHUTDOWN);
    this.cleanStart = !existsSync(join(dir, DEFINITIONS)) || existsSync(marker);
    if (existsSync(marker)) {
      unlinkSync(marker);
      syncDirectory(dir);
    }
    this.definitions = new AppendFile(join(dir, DEFINITIONS), this, 0);
  }

  get dir(): string {
    return this.options.dir;
  }

  // ---- definitions ----

  /** The definitions log's records, in order; damage is skipped or cut off and logged. */
  readDefinitions(): unknown[] {
    const path = join(this.dir, DEFINITIONS);
    if (!existsSync(path)) return [];
    const data = readFileSync(path);
    const records: unknown[] = [];
    const result = scanRecords(data, (payload, offset) => {
      try {
        records.push(JSON.parse(payload.toString('utf8')));
      } catch {
        this.log.warn({ file: path, offset }, 'skipping an unreadable definitions record');
      }
    });
    this.reportDamage({ file: path, skipped: result.skipped, truncated: data.length - result.validEnd });
    return records;
  }

  /** Whether the definitions log has grown enough (declares and deletes) to be compacted. */
  definitionsNeedCompaction(): boolean {
    return this.definitions.size > Math.max(COMPACT_DEFINITIONS_AT, 4 * this.snapshotSize);
  }

  /**
   * Replaces the definitions log with `records` (a compacted snapshot of the current state),
   * atomically: written, fsync'ed, renamed over the log. Records appended to the old log but not
   * yet written are dropped: the snapshot holds their effect, and is on disk before any commit
   * could report them durable.
   */
  rewriteDefinitions(records: readonly unknown[]): void {
    const path = join(this.dir, DEFINITIONS);
    const tmp = path + '.tmp';
    const data = Buffer.concat(records.map((r) => encodeRecord(Buffer.from(JSON.stringify(r)))));
    writeFileSync(tmp, data);
    const fd = openSync(tmp, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
    // From here on the old log (and what was waiting to be appended to it) is replaced.
    this.definitions.retire();
    this.definitions = new AppendFile(path, this, data.length);
    this.snapshotSize = data.length;
    syncDirectory(this.dir);
  }

  appendDefinition(record: unknown): void {
    this.definitions.appendRecord(Buffer.from(JSON.stringify(record)));
    this.definitionsGeneration++;
  }

  // ---- queues ----

  private queueDir(id: string): string {
    return join(this.queuesDir, id);
  }

  /** A new queue store: a durable queue's, or (durable false) one that only pages messages out. */
  createQueueStore(id: string, durable = true): QueueStore {
    const dir = this.queueDir(id);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    if (durable) this.dirsToSync.add(this.queuesDir);
    return new QueueStore(dir, this, this.options.segmentSize, durable);
  }

  /** A durable queue's store and its messages, read back at startup. */
  recoverQueueStore(id: string): { store: QueueStore; entries: QueueEntry[] } {
    const dir = this.queueDir(id);
    mkdirSync(dir, { recursive: true });
    const store = new QueueStore(dir, this, this.options.segmentSize);
    const entries = store.recover(!this.cleanStart, (d) => this.reportDamage(d));
    return { store, entries };
  }

  /** Deletes the directories of queues that no longer exist (deleted just before a crash). */
  removeQueueDirsExcept(ids: ReadonlySet<string>): void {
    for (const name of readdirSync(this.queuesDir)) {
      if (!ids.has(name)) {
        this.log.info({ dir: this.queueDir(name) }, 'removing the files of a deleted queue');
        rmSync(this.queueDir(name), { recursive: true, force: true });
      }
    }
  }

  private reportDamage(d: RecoveryDamage): void {
    if (d.truncated > 0) this.log.warn({ file: d.file, bytes: d.truncated }, 'truncated a torn or corrupt tail');
    for (const s of d.skipped) this.log.warn({ file: d.file, from: s.from, to: s.to }, 'skipped a corrupt region; records after it were kept');
  }

  // ---- group commit ----

  markDirty(file: AppendFile): void {
    this.dirty.add(file);
    this.requestCommit();
  }

  acksPending(store: QueueStore): void {
    this.ackStores.add(store);
    this.requestCommit();
  }

  headEmptied(store: QueueStore): void {
    this.emptyHeads.add(store);
  }

  /** Called every few hundred milliseconds: deletes segments left empty since the last call. */
  reclaim(): void {
    if (this.emptyHeads.size === 0) return;
    const stores = [...this.emptyHeads];
    this.emptyHeads.clear();
    for (const s of stores) s.reclaimEmptyHead();
  }

  opened(file: AppendFile): void {
    this.openFiles.add(file);
    if (file.size === 0 && file.durable) this.dirsToSync.add(dirname(file.path));
  }

  closed(file: AppendFile): void {
    this.openFiles.delete(file);
  }

  /** Calls `done` once everything written so far is on disk (or written to the OS without fsync). */
  whenDurable(done: DurableCallback): void {
    this.waiters.push(done);
    this.requestCommit();
  }

  private requestCommit(): void {
    if (this.commitScheduled || this.syncing || this.shutDown) return;
    this.commitScheduled = true;
    setImmediate(this.commit);
  }

  /** Writes what was appended since the last commit. Returns false if a write failed. */
  private writeAll(): boolean {
    for (const store of this.ackStores) store.flushAcks();
    this.ackStores.clear();
    let ok = true;
    const n = ++this.commitNumber;
    for (const f of this.dirty) {
      try {
        f.writePending();
        f.lastUsed = n;
        this.unsynced.add(f);
      } catch (err) {
        ok = false;
        this.log.error({ err, file: f.path }, 'storage write failed');
      }
    }
    this.dirty.clear();
    return ok;
  }

  private readonly commit = (): void => {
    if (this.shutDown) return;
    // Still "scheduled" while writing: flushing acks marks files dirty, which must not start a
    // second, overlapping commit.
    let ok = this.writeAll();
    this.commitScheduled = false;
    const waiters = this.waiters;
    this.waiters = [];
    if (!this.options.fsync) {
      this.unsynced.clear();
      this.dirsToSync.clear();
      this.finishCommit(waiters, ok);
      return;
    }
    const files = [...this.unsynced].filter((f) => !f.removed && f.durable);
    this.unsynced.clear();
    const dirs = [...this.dirsToSync];
    this.dirsToSync.clear();
    let remaining = files.length + dirs.length;
    if (remaining === 0) {
      this.finishCommit(waiters, ok);
      return;
    }
    this.syncing = true;
    const oneDone = (err: NodeJS.ErrnoException | null): void => {
      if (err !== null) {
        ok = false;
        this.log.error({ err }, 'fdatasync failed');
      }
      if (--remaining > 0) return;
      this.syncing = false;
      this.syncs++;
      this.finishCommit(waiters, ok);
      if (this.dirty.size > 0 || this.waiters.length > 0 || this.ackStores.size > 0) this.requestCommit();
    };
    for (const f of files) f.sync(oneDone);
    for (const d of dirs) syncDirectoryAsync(d, oneDone);
  };

  private finishCommit(waiters: readonly DurableCallback[], ok: boolean): void {
    for (const w of waiters) {
      try {
        w(ok);
      } catch (err) {
        this.log.error({ err }, 'internal error after a commit');
      }
    }
    if (this.openFiles.size > MAX_OPEN_FILES) this.closeIdleFiles();
  }

  private closeIdleFiles(): void {
    for (const f of this.openFiles) {
      if (this.openFiles.size <= MAX_OPEN_FILES / 2) break;
      if (!f.hasPending && !f.needsSync && !f.syncing && f.lastUsed < this.commitNumber) f.close();
    }
  }

  /**
   * Clean shutdown: `beforeClose` records what only a clean shutdown knows (which ready messages
   * were delivered before), then everything is written and synced, and the clean-shutdown marker
   * tells the next start that its redelivered flags are exact.
   */
  close(beforeClose?: () => void): void {
    if (this.shutDown) return;
    beforeClose?.();
    this.writeAll();
    this.shutDown = true;
    for (const f of this.unsynced) {
      if (f.removed || !f.durable) continue;
      const fd = openSync(f.path, 'r');
      try {
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    this.unsynced.clear();
    for (const d of this.dirsToSync) syncDirectory(d);
    for (const f of [...this.openFiles]) f.close();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(true);
    writeFileSync(join(this.dir, CLEAN_SHUTDOWN), '');
    syncDirectory(this.dir);
    rmSync(join(this.dir, LOCK), { force: true });
  }

  stats(): { syncs: number; bytesWritten: number } {
    return { syncs: this.syncs, bytesWritten: this.bytesWrittenCounter.value };
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDirectoryAsync(dir: string, done: (err: NodeJS.ErrnoException | null) => void): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (err) {
    // The directory was removed (its queue was deleted): nothing to sync.
    done((err as NodeJS.ErrnoException).code === 'ENOENT' ? null : (err as NodeJS.ErrnoException));
    return;
  }
  fsync(fd, (err) => {
    closeSync(fd);
    done(err);
  });
}

/** One broker per data directory: a pid file, taken over if its process is gone. */
function lockDataDir(dir: string): void {
  const path = join(dir, LOCK);
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new Error(`data directory ${dir} is in use by another broker (pid ${pid})`);
    }
  }
  writeFileSync(path, `${process.pid}\n`);
}

/**
 * Whether `pid` may be a broker still using the directory: it is alive and (where /proc tells)
 * a Node process. After a reboot the pid of a stale file may belong to anything else.
 */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /node|warren/i.test(cmdline);
  } catch {
    return true;
  }
}
