/**
 * Splits an AMQP 0-9-1 byte stream (after the 8-byte protocol header) into frames.
 *
 * A frame wholly inside one pushed chunk is handed out as a view (subarray) of that chunk; only a
 * frame straddling chunks is assembled, into one buffer of exactly its size, so the work is
 * amortised O(n) and memory never exceeds one frame beyond the chunk being processed.
 * Sizes are checked from the 7-byte header before any payload is buffered.
 *
 * Errors are ProtocolError 501 FRAME_ERROR with RabbitMQ's texts (rabbit_reader):
 *   frame too large:  `FRAME_ERROR - type 1, all octets = <<>>: {frame_too_large,200000,131064}`
 *   bad frame end:    `FRAME_ERROR - type 1, all octets = <<...>>: {invalid_frame_end_marker,0}`
 *   unknown type / a heartbeat with payload / a method or header payload too short to parse:
 *                     `FRAME_ERROR - type 9, all octets = <<>>: unknown_frame`
 * RabbitMQ accepts a payload up to frame_max (it allows 8 bytes of slack) and reports frame_max - 8
 * as the limit; a maxFrameSize of 0 means no limit.
 */
import { ProtocolError, amqpError, erlangBinary } from './errors.js';
import { FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD, FRAME_MIN_SIZE } from './constants.js';

export interface FrameSink {
  onFrame(type: number, channel: number, payload: Buffer): void;
}

const HEADER_SIZE = 7;

function snippet(payload: Buffer): string {
  return payload.length <= 16
    ? `all octets = ${erlangBinary(payload, 16)}`
    : `first 16 octets = ${erlangBinary(payload.subarray(0, 16), 16)}`;
}

/** How RabbitMQ describes a frame in its errors: `type 1, all octets = <<...>>`. */
export function describeFrame(type: number, payload: Buffer): string {
  return `type ${type}, ${snippet(payload)}`;
}

export function frameError(type: number, payload: Buffer, reason: string): ProtocolError {
  return amqpError(501, `${describeFrame(type, payload)}: ${reason}`);
}

const EMPTY = Buffer.alloc(0);

export class FrameReader {
  /** Largest accepted frame (as negotiated frame_max); 0 = unlimited. Settable after tune. */
  maxFrameSize: number;

  // Partial header (when a chunk ended inside a frame header).
  private readonly hdr = Buffer.alloc(HEADER_SIZE);
  private hdrLen = 0;
  // Frame being assembled across chunks: payload + frame-end octet.
  private pending: Buffer | null = null;
  private pendingLen = 0;
  private pendingType = 0;
  private pendingChannel = 0;
  private stopped = false;

  constructor(maxFrameSize: number = FRAME_MIN_SIZE) {
    this.maxFrameSize = maxFrameSize;
  }

  /** Bytes held back from previous chunks (a partial header or a partial frame). */
  get bufferedBytes(): number {
    return this.hdrLen + (this.pending === null ? 0 : HEADER_SIZE + this.pendingLen);
  }

  /** True once stop() was called or an error was thrown. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Stops processing: the rest of the current chunk and later chunks are ignored. */
  stop(): void {
    this.stopped = true;
    this.pending = null;
    this.hdrLen = 0;
  }

  /** Feeds a chunk; calls sink.onFrame for each complete frame. Throws ProtocolError 501. */
  push(chunk: Buffer, sink: FrameSink): void {
    const len = chunk.length;
    let pos = 0;
    while (pos < len && !this.stopped) {
      if (this.pending !== null) {
        // Continue a straddling frame.
        const pending = this.pending;
        const n = Math.min(pending.length - this.pendingLen, len - pos);
        chunk.copy(pending, this.pendingLen, pos, pos + n);
        this.pendingLen += n;
        pos += n;
        if (this.pendingLen < pending.length) return;
        this.pending = null;
        this.pendingLen = 0;
        const size = pending.length - 1;
        this.deliver(this.pendingType, this.pendingChannel, pending.subarray(0, size), pending[size]!, sink);
        continue;
      }

      let type: number;
      let channel: number;
      let size: number;
      if (this.hdrLen > 0) {
        // Complete a straddling header.
        const n = Math.min(HEADER_SIZE - this.hdrLen, len - pos);
        chunk.copy(this.hdr, this.hdrLen, pos, pos + n);
        this.hdrLen += n;
        pos += n;
        if (this.hdrLen < HEADER_SIZE) return;
        this.hdrLen = 0;
        const h = this.hdr;
        type = h[0]!;
        channel = (h[1]! << 8) | h[2]!;
        size = ((h[3]! << 24) >>> 0) + ((h[4]! << 16) | (h[5]! << 8) | h[6]!);
      } else {
        if (len - pos < HEADER_SIZE) {
          chunk.copy(this.hdr, 0, pos, len);
          this.hdrLen = len - pos;
          return;
        }
        type = chunk[pos]!;
        channel = (chunk[pos + 1]! << 8) | chunk[pos + 2]!;
        size = ((chunk[pos + 3]! << 24) >>> 0) + ((chunk[pos + 4]! << 16) | (chunk[pos + 5]! << 8) | chunk[pos + 6]!);
        pos += HEADER_SIZE;
      }

      const max = this.maxFrameSize;
      if (max !== 0 && size > max) {
        this.stop();
        throw frameError(type, EMPTY, `{frame_too_large,${size},${max - 8}}`);
      }

      if (len - pos > size) {
        // Whole payload and frame-end are in this chunk: hand out a view.
        const payload = chunk.subarray(pos, pos + size);
        const end = chunk[pos + size]!;
        pos += size + 1;
        this.deliver(type, channel, payload, end, sink);
      } else {
        const pending = Buffer.allocUnsafe(size + 1);
        const n = len - pos;
        chunk.copy(pending, 0, pos, len);
        pos = len;
        this.pending = pending;
        this.pendingLen = n;
        this.pendingType = type;
        this.pendingChannel = channel;
      }
    }
  }

  private deliver(type: number, channel: number, payload: Buffer, end: number, sink: FrameSink): void {
    if (end !== FRAME_END) {
      this.stop();
      throw frameError(type, payload, `{invalid_frame_end_marker,${end}}`);
    }
    switch (type) {
      case FRAME_METHOD:
        if (payload.length < 4) break;
        sink.onFrame(type, channel, payload);
        return;
      case FRAME_HEADER:
        if (payload.length < 12) break;
        sink.onFrame(type, channel, payload);
        return;
      case FRAME_BODY:
        sink.onFrame(type, channel, payload);
        return;
      case FRAME_HEARTBEAT:
        if (payload.length !== 0) break;
        sink.onFrame(type, channel, payload);
        return;
      default:
        break;
    }
    this.stop();
    throw frameError(type, payload, 'unknown_frame');
  }
}
