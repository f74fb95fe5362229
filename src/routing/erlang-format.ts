import type { FieldValue } from '../protocol/field-types.js';

/*
 * Renders field values the way RabbitMQ's error texts show them (Erlang's ~tp / ~p), for error
 * messages that must read like RabbitMQ's. Covers what such messages contain in practice:
 * integers, floats, binaries (<<"foo">>), booleans, decimals, nested tables and arrays. Very long
 * terms are not line-wrapped as Erlang's pretty printer would.
 */

/** RabbitMQ's type atom for each field type letter (rabbit_binary_parser). */
export function erlangTypeName(type: FieldValue['type']): string {
  switch (type) {
    case 't':
      return 'bool';
    case 'b':
      return 'byte';
    case 'B':
      return 'unsignedbyte';
    case 's':
      return 'short';
    case 'u':
      return 'unsignedshort';
    case 'I':
      return 'signedint';
    case 'i':
      return 'unsignedint';
    case 'l':
      return 'long';
    case 'f':
      return 'float';
    case 'd':
      return 'double';
    case 'D':
      return 'decimal';
    case 'T':
      return 'timestamp';
    case 'S':
      return 'longstr';
    case 'x':
      return 'binary';
    case 'A':
      return 'array';
    case 'F':
      return 'table';
    case 'V':
      return 'void';
  }
}

/** The value of a field as Erlang prints the decoded term (without its type). */
export function formatErlangValue(v: FieldValue): string {
  switch (v.type) {
    case 't':
      return v.value ? 'true' : 'false';
    case 'b':
    case 'B':
    case 's':
    case 'u':
    case 'I':
    case 'i':
    case 'T':
      return Number.isInteger(v.value) ? BigInt(v.value).toString() : String(v.value);
    case 'l':
      return v.value.toString();
    case 'f':
    case 'd':
      return formatErlangFloat(v.value);
    case 'D':
      return `{${v.value.scale},${v.value.value}}`;
    case 'S':
      return formatErlangBinary(Buffer.from(v.value, 'utf8'));
    case 'x':
      return formatErlangBinary(v.value);
    case 'A':
      return `[${v.value.map((e) => `{${erlangTypeName(e.type)},${formatErlangValue(e)}}`).join(',')}]`;
    case 'F': {
      const parts: string[] = [];
      for (const [k, e] of v.value) {
        parts.push(`{${formatErlangBinary(Buffer.from(k, 'utf8'))},${erlangTypeName(e.type)},${formatErlangValue(e)}}`);
      }
      return `[${parts.join(',')}]`;
    }
    case 'V':
      return 'undefined';
  }
}

/** A binary as ~tp prints it: <<"text">>, <<"tëxt"/utf8>>, or <<1,2,3>> when not printable. */
export function formatErlangBinary(b: Buffer): string {
  if (b.length === 0) return '<<>>';
  let ascii = true;
  for (const byte of b) {
    if (byte >= 0x80) ascii = false;
    else if (!isPrintableAscii(byte)) return byteList(b);
  }
  if (ascii) return `<<"${escapeChars(b.toString('latin1'))}">>`;
  const s = b.toString('utf8');
  if (!Buffer.from(s, 'utf8').equals(b)) return byteList(b); // not valid UTF-8
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    // Erlang's default printable range is latin1: code points 160..255 print as characters
    if (cp >= 0x80 && (cp < 160 || cp > 255)) return byteList(b);
  }
  return `<<"${escapeChars(s)}"/utf8>>`;
}

function isPrintableAscii(c: number): boolean {
  return (c >= 32 && c <= 126) || (c >= 8 && c <= 13) || c === 27;
}

function escapeChars(s: string): string {
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\v':
        out += '\\v';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\x1b':
        out += '\\e';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

function byteList(b: Buffer): string {
  return `<<${Array.from(b).join(',')}>>`;
}

/**
 * A float as Erlang's shortest round-trip printing (float_to_list(F, [short])): the shortest digits,
 * written in whichever of fixed ("123.0") and scientific ("1.0e20") notation is shorter.
 */
export function formatErlangFloat(f: number): string {
  if (!Number.isFinite(f)) return String(f); // not representable in Erlang; never decoded
  const neg = f < 0 || Object.is(f, -0);
  const [mant = '0', expPart = '0'] = Math.abs(f).toExponential().split('e');
  const digits = mant.replace('.', '');
  const exp = Number(expPart); // value = 0.digits × 10^(exp+1)
  const sci = `${digits[0] ?? '0'}.${digits.length > 1 ? digits.slice(1) : '0'}e${exp}`;
  let fixed: string;
  if (exp >= 0) {
    if (digits.length > exp + 1) fixed = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    else fixed = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  } else {
    fixed = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  const body = sci.length < fixed.length ? sci : fixed;
  return neg ? `-${body}` : body;
}
