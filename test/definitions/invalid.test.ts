/**
 * Invalid definitions files are refused with a DefinitionsError that says what is wrong and
 * where (RabbitMQ's own text where it has one), and nothing changes: not even the valid parts of
 * the file are applied (RabbitMQ applies entries until one fails; Warren checks everything first).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DefinitionsError, exportDefinitions, importDefinitions } from '../../src/management/definitions-format.js';
import { fixture, withImported } from './helpers.js';

const FILE = fixture('handwritten.json');

const queue = (o: Record<string, unknown>) => ({ queues: [{ name: 'q', vhost: 'shop', durable: true, auto_delete: false, arguments: {}, ...o }] });
const exchange = (o: Record<string, unknown>) => ({ exchanges: [{ name: 'x', vhost: 'shop', type: 'direct', durable: true, auto_delete: false, internal: false, arguments: {}, ...o }] });
const binding = (o: Record<string, unknown>) => ({ bindings: [{ source: 'orders', vhost: 'shop', destination: 'orders.all', destination_type: 'queue', routing_key: 'k', arguments: {}, ...o }] });
const user = (o: Record<string, unknown>) => ({ users: [{ name: 'u', password_hash: '', hashing_algorithm: 'rabbit_password_hashing_sha256', tags: [], ...o }] });
const permission = (o: Record<string, unknown>) => ({ permissions: [{ user: 'admin', vhost: 'shop', configure: '.*', write: '.*', read: '.*', ...o }] });
/** The whole valid file plus one bad entry: none of the valid part may be applied either. */
const withFile = (extra: Record<string, unknown[]>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...FILE };
  for (const [k, v] of Object.entries(extra)) out[k] = [...((FILE[k] as unknown[] | undefined) ?? []), ...v];
  return out;
};

const CASES: ReadonlyArray<readonly [string, unknown, RegExp]> = [
  ['a list instead of an object', [1, 2], /^the definitions must be a JSON object$/],
  ['null', null, /must be a JSON object/],
  ['a section that is not a list', { queues: null }, /'queues' must be a list/],
  ['users as an object', { users: { name: 'u' } }, /'users' must be a list/],
  ['an entry that is not an object', { queues: [5] }, /queues\[\d+\] must be an object/],
  ['a user without tags', user({ tags: undefined }), /users\[\d+\] 'u': 'tags' is missing \(RabbitMQ: tags_not_present\)/],
  ['an unsupported hashing algorithm', user({ hashing_algorithm: 'rabbit_password_hashing_sha1' }), /unsupported hashing_algorithm 'rabbit_password_hashing_sha1'/],
  ['password and password_hash', user({ password: 'p', password_hash: 'AAAAAA==' }), /both 'password' and 'password_hash' are given/],
  ['a hash that is not base64', user({ password_hash: '!!notbase64' }), /'password_hash' is not base64/],
  ['tags of the wrong type', user({ tags: 5 }), /'tags' must be a list of strings or a comma-separated string/],
  ['a user without a name', user({ name: undefined }), /users\[\d+\]: 'name' is missing/],
  ['a vhost without a name', { vhosts: [{ description: 'x' }] }, /vhosts\[\d+\]: 'name' is missing/],
  ['a permission for an unknown user', permission({ user: 'nobody' }), /no user 'nobody' in the broker or the file \(RabbitMQ: no_such_user\)/],
  ['a permission in an unknown vhost', permission({ vhost: 'nowhere' }), /no vhost 'nowhere' in the broker or the file \(RabbitMQ: no_such_vhost\)/],
  ['an invalid regular expression', permission({ configure: '(' }), /invalid regular expression '\('/],
  ['a permission without configure', permission({ configure: undefined }), /'configure' is missing/],
  ['an exchange of an unknown type', exchange({ type: 'x-delayed-message' }), /exchanges\[\d+\] 'x': unknown exchange type 'x-delayed-message'/],
  ['an exchange without a type', exchange({ type: undefined }), /'type' is missing/],
  ['an exchange without durable', exchange({ durable: undefined }), /'durable' is missing/],
  ['durable as a string', exchange({ durable: 'true' }), /'durable' must be true or false/],
  ['an exchange in an unknown vhost', exchange({ vhost: 'nowhere' }), /exchanges\[\d+\] 'x': no vhost 'nowhere'/],
  ['a queue without auto_delete', queue({ auto_delete: undefined }), /'auto_delete' is missing/],
  ['x-message-ttl as a string', queue({ arguments: { 'x-message-ttl': 'abc' } }), /invalid arg 'x-message-ttl' for queue 'q' in vhost 'shop': "expected integer, got longstr"/],
  ['x-message-ttl as a fraction', queue({ arguments: { 'x-message-ttl': 1.5 } }), /"expected integer, got double"/],
  ['x-max-priority above 255', queue({ arguments: { 'x-max-priority': 300 } }), /invalid arg 'x-max-priority' .*: \{max_value_exceeded,300\}/],
  ['x-dead-letter-exchange as a number', queue({ arguments: { 'x-dead-letter-exchange': 5 } }), /\{unacceptable_type,long\}/],
  ['a null argument', queue({ arguments: { 'x-foo': null } }), /arguments\.x-foo: null is not allowed \(RabbitMQ: null_not_allowed\)/],
  ['an integer beyond 64 bits', queue({ arguments: { 'x-big': 1e30 } }), /out of the signed 64-bit integer range/],
  ['arguments that are not an object', queue({ arguments: 'x' }), /'arguments' must be an object/],
  ['a queue with an empty name', queue({ name: '' }), /the queue name is empty/],
  ['a binding of an unknown destination type', binding({ destination_type: 'topic' }), /'destination_type' must be 'queue' or 'exchange', not 'topic'/],
  ['a binding without a routing key', binding({ routing_key: undefined }), /bindings\[\d+\] 'orders' → 'orders.all': 'routing_key' is missing/],
];

test('invalid files are refused with a useful reason and change nothing', { timeout: 30_000 }, async () => {
  await withImported(FILE, (b) => {
    const before = JSON.stringify(exportDefinitions(b.broker));
    for (const [name, defs, reason] of CASES) {
      for (const file of [defs, ...(isSectionCase(defs) ? [withFile(defs)] : [])]) {
        assert.throws(
          () => importDefinitions(b.broker, file),
          (err: unknown) => err instanceof DefinitionsError && reason.test(err.message),
          name,
        );
        assert.equal(JSON.stringify(exportDefinitions(b.broker)), before, `${name}: the broker changed`);
      }
    }
  });
});

function isSectionCase(defs: unknown): defs is Record<string, unknown[]> {
  return typeof defs === 'object' && defs !== null && !Array.isArray(defs) && Object.values(defs).every(Array.isArray) && Object.values(defs).every((l: unknown[]) => l.every((e) => typeof e === 'object' && e !== null));
}

test('every problem of a file is reported at once', { timeout: 10_000 }, async () => {
  await withImported(FILE, (b) => {
    const file = { ...queue({ durable: 'yes' }), ...exchange({ type: 'nope' }), users: [{ name: 'u' }] };
    const err = assertRefused(() => importDefinitions(b.broker, file));
    assert.deepEqual(err.reasons, [
      "users[0] 'u': 'tags' is missing (RabbitMQ: tags_not_present)",
      "queues[0] 'q': 'durable' must be true or false",
    ]);
    assert.match(err.message, /^invalid definitions \(2 problems\): users\[0\] 'u': 'tags' is missing .*; queues\[0\] 'q': 'durable' must be true or false$/);
    // The exchange's unknown type is found once the file reads well.
    const second = assertRefused(() => importDefinitions(b.broker, { ...exchange({ type: 'nope' }), ...queue({ arguments: { 'x-expires': 0 } }) }));
    assert.deepEqual(second.reasons, ["exchanges[0] 'x': unknown exchange type 'nope'", "queues[0] 'q': invalid arg 'x-expires' for queue 'q' in vhost 'shop': {value_zero,0}"]);
  });
});

test('an import into a vhost that does not exist is refused', { timeout: 10_000 }, async () => {
  await withImported(FILE, (b) => {
    assert.throws(() => importDefinitions(b.broker, queue({}), 'nowhere'), /no vhost 'nowhere' to import into \(RabbitMQ: vhost_not_found\)/);
    assert.throws(() => exportDefinitions(b.broker, 'nowhere'), DefinitionsError);
  });
});

function assertRefused(f: () => unknown): DefinitionsError {
  try {
    f();
  } catch (err) {
    if (err instanceof DefinitionsError) return err;
    throw err;
  }
  throw new Error('expected a DefinitionsError');
}
