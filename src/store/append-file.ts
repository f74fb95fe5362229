import { closeSync, fdatasync, ftruncateSync, openSync, readSync, unlink, writevSync } from 'node:fs';
import { RECORD_HEADER_SIZE, sealRecord } from './record.js';

const MAX_CHUNK = 256 * 1024;
const MIN_CHUNK = 4 * 1024;
const EMPTY = Buffer.alloc(0);

/** What an append file needs from the store that owns it: group commit bookkeeping. */
export interface FileOwner {
  /** The file has records buffered in memory: write them at the next commit. */
  markDirty(file: AppendFile): void;
  /** The file's descriptor was opened (the store closes idle ones when too many are open). */
  opened(file: AppendFile): void;
  closed(file: AppendFile): void;
  readonly bytesWrittenCounter: { value: number };
}

/**
 * A file written only at its end, in records. Records are encoded into an in-memory chunk and
 * written with one writev at the next group commit; the store then fdatasyncs every file it
 * wrote. The descriptor is opened on demand, so idle files cost no descriptor.
 */
export class AppendFile {
  private fd = -1;
  /** Size of the file including records not yet written to it. */
  size: number;
  /** Bytes already handed to the kernel. */
  private written: number;
  private chunk: Buffer = EMPTY;
  /** Size of the next chunk: twice what the last write needed, so idle files hold little memory. */
  private chunkSize = MIN_CHUNK;
  private chunkUsed = 0;
  private recordStart = -1;
  /** Written since the last sync. */
  needsSync = false;
  /** An fdatasync is running in the thread pool: the descriptor must stay open. */
  syncing = false;
  private closeWhenSynced = false;
  private unlinkWhenSynced = false;
  removed = false;
  private onRemoved: (() => void) | undefined = undefined;
  /** The commit in which the file was last written (the store closes the least recently used). */
  lastUsed = 0;

  constructor(
    readonly path: string,
    private readonly owner: FileOwner,
    size: number,
    /** False for files that need not survive a crash (paged-out transient messages): never synced. */
    readonly durable = true,
  ) {
    this.size = size;
    this.written = size;
  }

  get isOpen(): boolean {
    return this.fd >= 0;
  }

  get hasPending(): boolean {
    return this.chunkUsed > 0;
  }

  private descriptor(): number {
    if (this.fd < 0) {
      this.fd = openSync(this.path, 'a+');
      this.owner.opened(this);
    }
    return this.fd;
  }

  /**
   * Reserves room for a record with a payload of `payloadLength` bytes, to be written into
   * `buffer` from `cursor` on; `endRecord` seals it. Returns the record's offset in the file.
   */
  startRecord(payloadLength: number): number {
    const size = RECORD_HEADER_SIZE + payloadLength;
    if (this.chunkUsed + size > this.chunk.length) {
      if (this.chunkUsed > 0) this.writePending();
      if (size > this.chunk.length) this.chunk = Buffer.allocUnsafe(Math.max(this.chunkSize, size));
    }
    this.recordStart = this.chunkUsed;
    const offset = this.size;
    this.chunkUsed += size;
    this.size += size;
    return offset;
  }

  get buffer(): Buffer {
    return this.chunk;
  }

  /** Where the payload of the record being written starts in `buffer`. */
  get cursor(): number {
    return this.recordStart + RECORD_HEADER_SIZE;
  }

  endRecord(): void {
    const start = this.recordStart;
    sealRecord(this.chunk, start, this.chunkUsed - start - RECORD_HEADER_SIZE);
    this.recordStart = -1;
    this.owner.markDirty(this);
  }

  appendRecord(payload: Buffer): number {
    const offset = this.startRecord(payload.length);
    payload.copy(this.chunk, this.cursor);
    this.endRecord();
    return offset;
  }

  /** Hands the buffered records to the kernel (one writev). Throws on I/O errors. */
  writePending(): void {
    if (this.chunkUsed === 0 || this.removed) return;
    const fd = this.descriptor();
    let data = this.chunk.subarray(0, this.chunkUsed);
    while (data.length > 0) {
      const n = writevSync(fd, [data]);
      data = data.subarray(n);
      this.written += n;
      this.owner.bytesWrittenCounter.value += n;
    }
    // A file written a little at a time gives its chunk back; a busy one keeps a large chunk.
    const used = this.chunkUsed;
    this.chunkSize = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, used * 2));
    if (used < this.chunk.length / 2) this.chunk = EMPTY;
    this.chunkUsed = 0;
    this.needsSync = this.durable;
  }

  /** fdatasync in the thread pool; `done` gets the error, if any. */
  sync(done: (err: NodeJS.ErrnoException | null) => void): void {
    if (this.fd < 0 || this.removed) {
      done(null);
      return;
    }
    this.needsSync = false;
    this.syncing = true;
    fdatasync(this.fd, (err) => {
      this.syncing = false;
      if (this.unlinkWhenSynced) this.finishRemove();
      else if (this.closeWhenSynced) this.close();
      done(err);
    });
  }

  /** Reads `length` bytes at `position`, writing out buffered records first if needed. */
  read(position: number, length: number): Buffer {
    if (position + length > this.written) this.writePending();
    const buf = Buffer.allocUnsafe(length);
    const fd = this.descriptor();
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, position + got);
      if (n === 0) throw new Error(`${this.path}: unexpected end of file at ${position + got}`);
      got += n;
    }
    return buf;
  }

  /** Closes the descriptor (after a running sync finishes); it reopens on the next write. */
  close(): void {
    if (this.fd < 0) return;
    if (this.syncing) {
      this.closeWhenSynced = true;
      return;
    }
    this.closeWhenSynced = false;
    closeSync(this.fd);
    this.fd = -1;
    this.owner.closed(this);
  }

  /** Cuts off a torn or corrupt tail found at recovery. */
  truncate(size: number): void {
    const fd = this.descriptor();
    ftruncateSync(fd, size);
    this.size = this.written = size;
  }

  /** Drops buffered records and closes the file, leaving it on disk (it was replaced). */
  retire(): void {
    this.removed = true;
    this.chunkUsed = 0;
    this.chunk = EMPTY;
    this.close();
  }

  /** Drops buffered records, closes and deletes the file; `then` runs once it is unlinked. */
  remove(then?: () => void): void {
    if (this.removed) return;
    this.removed = true;
    this.onRemoved = then;
    this.chunkUsed = 0;
    this.chunk = EMPTY;
    if (this.syncing) this.unlinkWhenSynced = true;
    else this.finishRemove();
  }

  private finishRemove(): void {
    this.unlinkWhenSynced = false;
    this.syncing = false;
    this.close();
    const then = this.onRemoved;
    this.onRemoved = undefined;
    unlink(this.path, () => then?.());
  }
}
