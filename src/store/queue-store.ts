import { readdirSync, readFileSync, rm } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Message, QueueEntry, type MessageStore } from '../queue/message.js';
import { decodeProperties } from '../protocol/generated/properties.js';
import { AppendFile, type FileOwner } from './append-file.js';
import { RECORD_HEADER_SIZE, RECORD_MAGIC, scanRecords, type ScanResult } from './record.js';

/** Record kinds in segment files (messages) and their ack files (acks, redelivered marks). */
const KIND_MESSAGE = 1;
const KIND_ACKS = 2;
const KIND_REDELIVERED = 3;
/** A transient message paged out of memory: read back while running, skipped at recovery. */
const KIND_PAGED = 4;

/** Bytes read at a time when paged-out messages are read back (several messages per read). */
const READ_BLOCK = 256 * 1024;

/** What a queue store needs from the disk store: files, and acks flushed at each commit. */
export interface QueueStoreOwner extends FileOwner {
  acksPending(store: QueueStore): void;
  /** The segment being appended to has no live messages: delete it unless it is used again soon. */
  headEmptied(store: QueueStore): void;
}

/** Damage found while recovering a file, for the log. */
export interface RecoveryDamage {
  readonly file: string;
  readonly skipped: ScanResult['skipped'];
  /** Bytes cut off the end (a torn or corrupt tail), or 0. */
  readonly truncated: number;
}

interface Segment {
  readonly num: number;
  readonly file: AppendFile;
  acks: AppendFile | null;
  /** Messages in this segment not yet acked. */
  live: number;
  /** Offsets of records acked since the last commit. */
  pendingAcks: number[];
}

function segmentName(num: number, ext: 'seg' | 'ack'): string {
  return `${String(num).padStart(8, '0')}.${ext}`;
}

/**
 * A durable queue's messages on disk. Persistent messages are appended to segment files
 * (`00000001.seg`, ...), each record holding the message's exchange, routing key, content header
 * (as received) and body; acks are appended to the segment's `.ack` file as record offsets. A
 * segment whose messages are all acked is deleted with its ack file, so a drained queue uses no
 * disk. Messages read back from disk are read in blocks, several at a time.
 */
export class QueueStore implements MessageStore {
  private readonly segments = new Map<number, Segment>();
  private head: Segment | null = null;
  private nextSegment = 1;
  private cache: { segment: number; start: number; data: Buffer } | null = null;
  private destroyed = false;

  constructor(
    readonly dir: string,
    private readonly owner: QueueStoreOwner,
    private readonly segmentSize: number,
    /** False for a store that only pages transient messages out: its files are never synced. */
    private readonly durable = true,
  ) {}

  /** Segments on disk (for tests and statistics). */
  get segmentCount(): number {
    return this.segments.size;
  }

  private newSegment(): Segment {
    const num = this.nextSegment++;
    const seg: Segment = { num, file: new AppendFile(join(this.dir, segmentName(num, 'seg')), this.owner, 0, this.durable), acks: null, live: 0, pendingAcks: [] };
    this.segments.set(num, seg);
    return seg;
  }

  append(entry: QueueEntry, message: Message, transient = false): void {
    let seg = this.head;
    if (seg === null || seg.file.size >= this.segmentSize) {
      if (seg !== null && seg.live === 0) this.removeSegment(seg);
      seg = this.head = this.newSegment();
    }
    const exchangeLength = Buffer.byteLength(message.exchange);
    const routingKeyLength = Buffer.byteLength(message.routingKey);
    const header = message.header;
    const body = message.body;
    const payloadLength = 1 + 8 + 8 + 1 + 1 + exchangeLength + 1 + routingKeyLength + 4 + header.length + 4 + body.length;
    const file = seg.file;
    const offset = file.startRecord(payloadLength);
    const b = file.buffer;
    let o = file.cursor;
    b[o++] = transient ? KIND_PAGED : KIND_MESSAGE;
    o = b.writeDoubleLE(entry.seq, o);
    o = b.writeDoubleLE(entry.expiresAt, o);
    b[o++] = entry.priority;
    b[o++] = exchangeLength;
    o += b.write(message.exchange, o, 'utf8');
    b[o++] = routingKeyLength;
    o += b.write(message.routingKey, o, 'utf8');
    o = b.writeUInt32LE(header.length, o);
    o += header.copy(b, o);
    o = b.writeUInt32LE(body.length, o);
    body.copy(b, o);
    file.endRecord();
    seg.live++;
    entry.segment = seg.num;
    entry.offset = offset;
  }

  remove(entry: QueueEntry): void {
    const seg = this.segments.get(entry.segment);
    if (seg === undefined || this.destroyed) return;
    if (--seg.live === 0) {
      // A queue that keeps up with its publishers empties its head segment again and again: it
      // is kept for reuse and deleted only if it stays empty (reclaimEmptyHead).
      if (seg === this.head) this.owner.headEmptied(this);
      else {
        this.removeSegment(seg);
        return;
      }
    }
    if (seg.pendingAcks.length === 0) this.owner.acksPending(this);
    seg.pendingAcks.push(entry.offset);
  }

  /** Deletes the head segment if it still has no live messages. */
  reclaimEmptyHead(): void {
    const head = this.head;
    if (head !== null && head.live === 0 && !this.destroyed) this.removeSegment(head);
  }

  private removeSegment(seg: Segment): void {
    this.segments.delete(seg.num);
    if (this.head === seg) this.head = null;
    if (this.cache?.segment === seg.num) this.cache = null;
    seg.pendingAcks = [];
    // The segment goes before its ack file: a crash in between must not bring acked messages back.
    const acks = seg.acks;
    seg.file.remove(acks === null ? undefined : () => acks.remove());
  }

  private ackFile(seg: Segment): AppendFile {
    return (seg.acks ??= new AppendFile(join(this.dir, segmentName(seg.num, 'ack')), this.owner, 0, this.durable));
  }

  private appendOffsets(seg: Segment, kind: number, offsets: readonly number[]): void {
    const file = this.ackFile(seg);
    file.startRecord(1 + 4 * offsets.length);
    const b = file.buffer;
    let o = file.cursor;
    b[o++] = kind;
    for (const off of offsets) o = b.writeUInt32LE(off, o);
    file.endRecord();
  }

  /** Called by the disk store at each commit: the acks since the last one become one record per segment. */
  flushAcks(): void {
    if (this.destroyed) return;
    for (const seg of this.segments.values()) {
      if (seg.pendingAcks.length === 0) continue;
      this.appendOffsets(seg, KIND_ACKS, seg.pendingAcks);
      seg.pendingAcks = [];
    }
  }

  /** At a clean shutdown: remember which ready messages had been delivered before. */
  markRedelivered(entries: Iterable<QueueEntry>): void {
    const bySegment = new Map<Segment, number[]>();
    for (const e of entries) {
      const seg = e.redelivered ? this.segments.get(e.segment) : undefined;
      if (seg === undefined) continue;
      let list = bySegment.get(seg);
      if (list === undefined) bySegment.set(seg, (list = []));
      list.push(e.offset);
    }
    for (const [seg, offsets] of bySegment) this.appendOffsets(seg, KIND_REDELIVERED, offsets);
  }

  load(entry: QueueEntry): Message {
    const seg = this.segments.get(entry.segment);
    if (seg === undefined) throw new Error(`${this.dir}: message ${entry.seq} is in segment ${entry.segment}, which is gone`);
    let record = this.cachedRecord(seg.num, entry.offset);
    if (record === undefined) {
      const length = Math.max(RECORD_HEADER_SIZE, Math.min(READ_BLOCK, seg.file.size - entry.offset));
      this.cache = { segment: seg.num, start: entry.offset, data: seg.file.read(entry.offset, length) };
      record = this.cachedRecord(seg.num, entry.offset);
      if (record === undefined) {
        // Larger than a block: read exactly the record.
        const payloadLength = this.cache.data.readUInt32BE(6);
        const data = seg.file.read(entry.offset, RECORD_HEADER_SIZE + payloadLength);
        record = data;
      }
    }
    const payloadLength = record.readUInt32BE(6);
    const payload = record.subarray(RECORD_HEADER_SIZE, RECORD_HEADER_SIZE + payloadLength);
    if (record.readUInt16BE(0) !== RECORD_MAGIC || payload.length !== payloadLength || crc32(record.subarray(6, RECORD_HEADER_SIZE + payloadLength)) !== record.readUInt32BE(2)) {
      throw new Error(`${this.dir}: the record of message ${entry.seq} at ${segmentName(seg.num, 'seg')}:${entry.offset} is damaged`);
    }
    return decodeMessage(payload);
  }

  /** The whole record at `offset` if the read-ahead block holds it. */
  private cachedRecord(segment: number, offset: number): Buffer | undefined {
    const c = this.cache;
    if (c === null || c.segment !== segment || offset < c.start) return undefined;
    const at = offset - c.start;
    if (at + RECORD_HEADER_SIZE > c.data.length) return undefined;
    const end = at + RECORD_HEADER_SIZE + c.data.readUInt32BE(at + 6);
    return end <= c.data.length ? c.data.subarray(at, end) : undefined;
  }

  /** The queue was deleted: delete its files (in the background). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const seg of this.segments.values()) {
      seg.file.remove();
      seg.acks?.remove();
    }
    this.segments.clear();
    this.head = null;
    this.cache = null;
    rm(this.dir, { recursive: true, force: true }, () => {});
  }

  /**
   * Reads the queue's files back at startup: returns the messages not acked, in their original
   * order, with bodies left on disk. Damaged records are skipped and torn tails cut off (both
   * reported through `damaged`); nothing here throws on damaged content.
   */
  recover(allRedelivered: boolean, damaged: (d: RecoveryDamage) => void): QueueEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const segNums = new Set<number>();
    const ackNums = new Set<number>();
    for (const name of names) {
      const m = /^(\d{8})\.(seg|ack)$/.exec(name);
      if (m === null) continue;
      (m[2] === 'seg' ? segNums : ackNums).add(Number(m[1]));
    }
    const entries: QueueEntry[] = [];
    for (const num of [...segNums].sort((a, b) => a - b)) {
      if (num >= this.nextSegment) this.nextSegment = num + 1;
      const acked = new Set<number>();
      const redelivered = new Set<number>();
      let acks: AppendFile | null = null;
      if (ackNums.has(num)) {
        acks = this.recoverFile(segmentName(num, 'ack'), damaged, (payload) => {
          const kind = payload[0];
          const target = kind === KIND_ACKS ? acked : kind === KIND_REDELIVERED ? redelivered : undefined;
          if (target === undefined) return;
          for (let o = 1; o + 4 <= payload.length; o += 4) target.add(payload.readUInt32LE(o));
        });
      }
      let live = 0;
      const file = this.recoverFile(segmentName(num, 'seg'), damaged, (payload, offset) => {
        if (payload[0] !== KIND_MESSAGE || acked.has(offset)) return;
        const entry = decodeEntry(payload);
        if (entry === undefined) return;
        entry.segment = num;
        entry.offset = offset;
        entry.redelivered = allRedelivered || redelivered.has(offset);
        entries.push(entry);
        live++;
      });
      if (live === 0) {
        const ackFile = acks;
        file.remove(ackFile === null ? undefined : () => ackFile.remove());
      } else this.segments.set(num, { num, file, acks, live, pendingAcks: [] });
    }
    for (const num of ackNums) {
      if (!segNums.has(num)) new AppendFile(join(this.dir, segmentName(num, 'ack')), this.owner, 0).remove();
    }
    return entries;
  }

  private recoverFile(name: string, damaged: (d: RecoveryDamage) => void, onRecord: (payload: Buffer, offset: number) => void): AppendFile {
    const path = join(this.dir, name);
    const data = readFileSync(path);
    const result = scanRecords(data, onRecord);
    const file = new AppendFile(path, this.owner, data.length);
    const truncated = data.length - result.validEnd;
    if (truncated > 0) {
      file.truncate(result.validEnd);
      file.close();
    }
    if (truncated > 0 || result.skipped.length > 0) damaged({ file: path, skipped: result.skipped, truncated });
    return file;
  }
}

function decodeEntry(p: Buffer): QueueEntry | undefined {
  try {
    const seq = p.readDoubleLE(1);
    const expiresAt = p.readDoubleLE(9);
    const priority = p[17]!;
    let o = 18;
    o += 1 + p[o]!;
    o += 1 + p[o]!;
    o += 4 + p.readUInt32LE(o);
    const size = p.readUInt32LE(o);
    return new QueueEntry(null, seq, expiresAt, priority, size);
  } catch {
    return undefined;
  }
}

function decodeMessage(p: Buffer): Message {
  let o = 18;
  const exchangeLength = p[o++]!;
  const exchange = p.toString('utf8', o, o + exchangeLength);
  o += exchangeLength;
  const routingKeyLength = p[o++]!;
  const routingKey = p.toString('utf8', o, o + routingKeyLength);
  o += routingKeyLength;
  const headerLength = p.readUInt32LE(o);
  o += 4;
  const header = p.subarray(o, o + headerLength);
  o += headerLength;
  const bodyLength = p.readUInt32LE(o);
  o += 4;
  const body = p.subarray(o, o + bodyLength);
  return new Message(exchange, routingKey, decodeProperties(header, 12, header.length), header, body);
}
