import { replyCodeName } from './constants.js';

/**
 * An AMQP protocol error. `text` is the complete reply-text as it goes into connection.close /
 * channel.close, e.g. `SYNTAX_ERROR - ...` (at most 255 bytes when built through {@link amqpError}).
 * `classId`/`methodId` name the offending method when known (0 otherwise), as RabbitMQ reports them.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: number,
    readonly text: string,
    readonly classId: number = 0,
    readonly methodId: number = 0,
    /**
     * RabbitMQ sends no connection.close for some input (an unknown method, an unknown field
     * type): its reader just drops the connection. Such errors close the socket silently.
     */
    readonly silent: boolean = false,
  ) {
    super(text);
  }
}

const MAX_REPLY_TEXT = 255;

/**
 * Builds RabbitMQ's reply-text `NAME - explanation`, truncated like rabbit_binary_generator does
 * (to 252 bytes + "..." when longer than 255 bytes; never splitting a UTF-8 character).
 */
export function replyText(code: number, explanation: string): string {
  return truncateReplyText(`${replyCodeName(code)} - ${explanation}`);
}

/** A reply text longer than 255 bytes becomes its first 252 bytes and "...", as in RabbitMQ. */
export function truncateReplyText(full: string): string {
  if (full.length <= MAX_REPLY_TEXT / 3 || Buffer.byteLength(full) <= MAX_REPLY_TEXT) return full;
  const bytes = Buffer.from(full, 'utf8');
  let cut = 252;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return bytes.toString('utf8', 0, cut) + '...';
}

/** `new ProtocolError(code, replyText(code, explanation), classId, methodId)`. */
export function amqpError(code: number, explanation: string, classId = 0, methodId = 0): ProtocolError {
  return new ProtocolError(code, replyText(code, explanation), classId, methodId);
}

/**
 * Formats bytes like Erlang's `~p` does for a binary: `<<"abc">>` when printable ASCII, else
 * `<<1,2,3>>`. Only the first `limit` bytes are shown (callers truncate anyway).
 */
export function erlangBinary(buf: Uint8Array, limit = 64, forcePrintable = true): string {
  const n = Math.min(buf.length, limit);
  if (n === 0) return '<<>>';
  if (forcePrintable) {
    let printable = true;
    for (let i = 0; i < n; i++) {
      const c = buf[i]!;
      if ((c < 32 || c > 126) && !(c >= 8 && c <= 13) && c !== 27) {
        printable = false;
        break;
      }
    }
    if (printable) {
      let s = '';
      for (let i = 0; i < n; i++) {
        const c = buf[i]!;
        switch (c) {
          case 8: s += '\\b'; break;
          case 9: s += '\\t'; break;
          case 10: s += '\\n'; break;
          case 11: s += '\\v'; break;
          case 12: s += '\\f'; break;
          case 13: s += '\\r'; break;
          case 27: s += '\\e'; break;
          case 34: s += '\\"'; break;
          case 92: s += '\\\\'; break;
          default: s += String.fromCharCode(c);
        }
      }
      return `<<"${s}"${n < buf.length ? '...' : ''}>>`;
    }
  }
  let s = '<<';
  for (let i = 0; i < n; i++) s += (i === 0 ? '' : ',') + String(buf[i]);
  return s + (n < buf.length ? ',...>>' : '>>');
}
