import type { FieldTable, FieldValue } from '../protocol/field-types.js';
import { fieldValuesEqual } from '../protocol/field-table.js';
import type { Overflow, QueueLimits } from '../queue/queue.js';
import { preconditionFailed } from './errors.js';

/** RabbitMQ's names for field-table types, as they appear in its error texts. */
const TYPE_NAMES: Record<FieldValue['type'], string> = {
  t: 'bool', b: 'byte', B: 'unsignedbyte', s: 'short', u: 'unsignedshort', I: 'signedint', i: 'unsignedint',
  l: 'long', f: 'float', d: 'double', D: 'decimal', S: 'longstr', x: 'binary', T: 'timestamp', A: 'array',
  F: 'table', V: 'void',
};

const INTEGER_TYPES = new Set<FieldValue['type']>(['b', 'B', 's', 'u', 'I', 'i', 'l']);

export function typeName(v: FieldValue): string {
  return TYPE_NAMES[v.type];
}

/** The integer value of an integer-typed field, or undefined for any other type. */
export function integerValue(v: FieldValue | undefined): number | undefined {
  if (v === undefined || !INTEGER_TYPES.has(v.type)) return undefined;
  return typeof v.value === 'bigint' ? Number(v.value) : (v.value as number);
}

/** Formats a value the way RabbitMQ prints it in "inequivalent arg" errors. */
export function formatFieldValue(v: FieldValue): string {
  switch (v.type) {
    case 'x':
      return v.value.toString('utf8');
    case 'D':
      return `{${v.value.scale},${v.value.value}}`;
    case 'A':
    case 'F':
    case 'V':
      return JSON.stringify(v.value === null ? 'undefined' : v.type);
    default:
      return String(v.value);
  }
}

/** Integer types are one class, as are the two float types (RabbitMQ's type_class). */
function typeClass(t: FieldValue['type']): string {
  if (INTEGER_TYPES.has(t)) return 'int';
  if (t === 'f' || t === 'd') return 'float';
  return t;
}

function valuesEquivalent(a: FieldValue, b: FieldValue): boolean {
  if (typeClass(a.type) !== typeClass(b.type)) return false;
  if (INTEGER_TYPES.has(a.type)) return integerValue(a) === integerValue(b);
  if (a.type === 'f' || a.type === 'd') return a.value === b.value;
  return fieldValuesEqual(a, b);
}

/** RabbitMQ prints a missing value as none, a lone value with its type, and a pair of values bare. */
function describe(v: FieldValue | undefined, bare: boolean): string {
  if (v === undefined) return 'none';
  return bare ? `'${formatFieldValue(v)}'` : `the value '${formatFieldValue(v)}' of type '${typeName(v)}'`;
}

/**
 * RabbitMQ compares only the arguments it understands when an existing queue or exchange is
 * declared again; a difference in one of them is 406 PRECONDITION_FAILED.
 */
export function assertArgumentsEquivalent(
  current: FieldTable,
  received: FieldTable,
  keys: readonly string[],
  resource: string,
): void {
  for (const key of keys) {
    const a = current.get(key);
    const b = received.get(key);
    if (a === undefined && b === undefined) continue;
    if (a !== undefined && b !== undefined && valuesEquivalent(a, b)) continue;
    const bare = a !== undefined && b !== undefined;
    throw preconditionFailed(
      `inequivalent arg '${key}' for ${resource}: received ${describe(b, bare)} but current is ${describe(a, bare)}`,
    );
  }
}

export const QUEUE_EQUIVALENCE_KEYS = [
  'x-expires', 'x-message-ttl', 'x-dead-letter-exchange', 'x-dead-letter-routing-key', 'x-max-length',
  'x-max-length-bytes', 'x-max-priority', 'x-overflow', 'x-queue-mode', 'x-queue-type', 'x-single-active-consumer',
  'x-queue-version',
] as const;

/** Queue types a client may ask for; all of them are classic queues here (see the README). */
const SUPPORTED_QUEUE_TYPES = new Set(['classic', 'quorum', 'stream']);

export const EXCHANGE_EQUIVALENCE_KEYS = ['alternate-exchange'] as const;

/**
 * Validates the queue arguments RabbitMQ validates at declare time and returns the reason in
 * RabbitMQ's words (an Erlang term), or undefined when they are acceptable.
 */
export function queueArgumentError(args: FieldTable): { key: string; reason: string } | undefined {
  const nonNegativeInt = ['x-expires', 'x-message-ttl', 'x-max-length', 'x-max-length-bytes', 'x-max-priority'];
  for (const key of nonNegativeInt) {
    const v = args.get(key);
    if (v === undefined) continue;
    const n = integerValue(v);
    if (n === undefined) return { key, reason: `"expected integer, got ${typeName(v)}"` };
    if (n < 0) return { key, reason: `{value_negative,${n}}` };
    if (key === 'x-expires' && n === 0) return { key, reason: `{value_zero,0}` };
    if (key === 'x-max-priority' && n > 255) return { key, reason: `{max_value_exceeded,${n}}` };
  }
  const overflow = args.get('x-overflow');
  if (overflow !== undefined) {
    const s = overflow.type === 'S' ? overflow.value : undefined;
    if (s === undefined) return { key: 'x-overflow', reason: `{unacceptable_type,${typeName(overflow)}}` };
    if (!['drop-head', 'reject-publish', 'reject-publish-dlx'].includes(s)) return { key: 'x-overflow', reason: 'invalid_overflow' };
  }
  for (const key of ['x-dead-letter-exchange', 'x-dead-letter-routing-key']) {
    const v = args.get(key);
    if (v !== undefined && v.type !== 'S') return { key, reason: `{unacceptable_type,${typeName(v)}}` };
  }
  if (args.has('x-dead-letter-routing-key') && !args.has('x-dead-letter-exchange')) {
    return { key: 'x-dead-letter-routing-key', reason: 'routing_key_but_no_dlx_defined' };
  }
  const sac = args.get('x-single-active-consumer');
  if (sac !== undefined && sac.type !== 't') {
    return { key: 'x-single-active-consumer', reason: `"expected bool, got ${typeName(sac)}"` };
  }
  const queueType = args.get('x-queue-type');
  if (queueType !== undefined) {
    const s = queueType.type === 'S' ? queueType.value : undefined;
    if (s === undefined) return { key: 'x-queue-type', reason: `{unacceptable_type,${typeName(queueType)}}` };
    if (!SUPPORTED_QUEUE_TYPES.has(s)) return { key: 'x-queue-type', reason: `"unsupported queue type '${s}'"` };
  }
  return undefined;
}

function stringArg(args: FieldTable, key: string): string | undefined {
  const v = args.get(key);
  return v !== undefined && v.type === 'S' ? v.value : undefined;
}

/** The queue behaviour its (already validated) arguments ask for. */
export function queueLimits(args: FieldTable): QueueLimits {
  const maxPriority = integerValue(args.get('x-max-priority'));
  return {
    messageTtl: integerValue(args.get('x-message-ttl')),
    expires: integerValue(args.get('x-expires')),
    maxLength: integerValue(args.get('x-max-length')),
    maxLengthBytes: integerValue(args.get('x-max-length-bytes')),
    overflow: (stringArg(args, 'x-overflow') ?? 'drop-head') as Overflow,
    deadLetterExchange: stringArg(args, 'x-dead-letter-exchange'),
    deadLetterRoutingKey: stringArg(args, 'x-dead-letter-routing-key'),
    maxPriority: maxPriority === undefined || maxPriority === 0 ? undefined : maxPriority,
    singleActiveConsumer: args.get('x-single-active-consumer')?.value === true,
  };
}

/**
 * Parses the `expiration` property as RabbitMQ does (a decimal number of milliseconds), throwing
 * its 406 text for anything else.
 */
export function parseExpiration(expiration: string | undefined): number | undefined {
  if (expiration === undefined) return undefined;
  const m = /^(-?)(\d+)(.*)$/s.exec(expiration);
  if (m === null) throw preconditionFailed(`invalid expiration '${expiration}': no_integer`);
  if (m[3] !== '') throw preconditionFailed(`invalid expiration '${expiration}': {leftover_chars,"${m[3]}"}`);
  const value = Number(m[2]);
  if (m[1] === '-' && value !== 0) throw preconditionFailed(`invalid expiration '${expiration}': {value_negative,-${m[2]}}`);
  return value;
}
