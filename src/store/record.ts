import { crc32 } from 'node:zlib';

/**
 * Every file the store writes is a sequence of records:
 *
 *   magic u16 (0x5752, "WR") | crc32 u32 | payload length u32 | payload
 *
 * The checksum covers the length field and the payload, so a torn write, a bit flip or garbage
 * is detected. The magic lets recovery find the next intact record after a damaged one without
 * checksumming at every byte offset.
 */
export const RECORD_MAGIC = 0x5752;
export const RECORD_HEADER_SIZE = 10;
/** No record is larger than this (a 128 MiB message plus its properties and bookkeeping). */
export const MAX_RECORD_PAYLOAD = 512 * 1024 * 1024;

/** Writes the header of a record whose payload is already at `offset + RECORD_HEADER_SIZE`. */
export function sealRecord(buf: Buffer, offset: number, payloadLength: number): void {
  buf.writeUInt16BE(RECORD_MAGIC, offset);
  buf.writeUInt32BE(payloadLength, offset + 6);
  const crc = crc32(buf.subarray(offset + 6, offset + RECORD_HEADER_SIZE + payloadLength));
  buf.writeUInt32BE(crc, offset + 2);
}

/** A whole record around `payload`. */
export function encodeRecord(payload: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(RECORD_HEADER_SIZE + payload.length);
  payload.copy(buf, RECORD_HEADER_SIZE);
  sealRecord(buf, 0, payload.length);
  return buf;
}

/** The length of the intact record at `offset`, or -1 if there is none. */
function intactRecordAt(buf: Buffer, offset: number): number {
  if (offset + RECORD_HEADER_SIZE > buf.length) return -1;
  if (buf.readUInt16BE(offset) !== RECORD_MAGIC) return -1;
  const length = buf.readUInt32BE(offset + 6);
  if (length > MAX_RECORD_PAYLOAD || offset + RECORD_HEADER_SIZE + length > buf.length) return -1;
  const crc = crc32(buf.subarray(offset + 6, offset + RECORD_HEADER_SIZE + length));
  return crc === buf.readUInt32BE(offset + 2) ? length : -1;
}

/** Damage found while scanning a file: bytes [from, to) were not part of any intact record. */
export interface SkippedRange {
  readonly from: number;
  readonly to: number;
}

export interface ScanResult {
  readonly records: number;
  /** Corrupt regions followed by intact records; those records were kept. */
  readonly skipped: readonly SkippedRange[];
  /** End of the last intact record: anything after it is a torn or corrupt tail. */
  readonly validEnd: number;
}

/**
 * Calls `onRecord` for every intact record in `buf`, in order. A damaged region is skipped up to
 * the next intact record (reported in `skipped`); damage with no intact record after it is the
 * tail (everything from `validEnd` on), which the caller truncates.
 */
export function scanRecords(buf: Buffer, onRecord: (payload: Buffer, offset: number) => void): ScanResult {
  const skipped: SkippedRange[] = [];
  let records = 0;
  let offset = 0;
  let validEnd = 0;
  while (offset < buf.length) {
    const length = intactRecordAt(buf, offset);
    if (length >= 0) {
      onRecord(buf.subarray(offset + RECORD_HEADER_SIZE, offset + RECORD_HEADER_SIZE + length), offset);
      records++;
      offset += RECORD_HEADER_SIZE + length;
      validEnd = offset;
      continue;
    }
    const next = nextIntactRecord(buf, offset + 1);
    if (next < 0) break;
    skipped.push({ from: offset, to: next });
    offset = next;
  }
  return { records, skipped, validEnd };
}

function nextIntactRecord(buf: Buffer, from: number): number {
  const magicHigh = RECORD_MAGIC >> 8;
  for (let i = buf.indexOf(magicHigh, from); i >= 0 && i + RECORD_HEADER_SIZE <= buf.length; i = buf.indexOf(magicHigh, i + 1)) {
    if (intactRecordAt(buf, i) >= 0) return i;
  }
  return -1;
}
