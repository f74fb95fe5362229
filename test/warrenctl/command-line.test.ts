/** Unit tests: splitting argv, option placement, suggestions for unknown commands. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitCommandLine } from '../../src/ctl/arguments.js';
import { parseCommandLine } from '../../src/ctl/command-line.js';
import { COMMANDS } from '../../src/ctl/commands/index.js';
import { editDistance, suggestCommand } from '../../src/ctl/help-text.js';

const options = (argv: string[]) => splitCommandLine(argv).options.map((o) => [o.spec.name, o.value]);

test('options may come before or after the command, with a space or an equals sign', () => {
  assert.deepEqual(splitCommandLine(['-p', 'v1', 'list_queues', 'name', '--vhost=v2', '-p=v3', '-q']).positionals, ['list_queues', 'name']);
  assert.deepEqual(options(['-p', 'v1', 'list_queues', 'name', '--vhost=v2', '-p=v3', '-q']), [
    ['vhost', 'v1'],
    ['vhost', 'v2'],
    ['vhost', 'v3'],
    ['quiet', true],
  ]);
});

test('a lone dash and everything after -- are arguments; negative numbers too', () => {
  assert.deepEqual(splitCommandLine(['export_definitions', '-']).positionals, ['export_definitions', '-']);
  assert.deepEqual(splitCommandLine(['add_user', '--', 'bob', '--quiet']).positionals, ['add_user', 'bob', '--quiet']);
  assert.deepEqual(splitCommandLine(['add_user', 'bob', '-5']).positionals, ['add_user', 'bob', '-5']);
});

test('unknown options and options without their value are reported as typed', () => {
  assert.deepEqual(splitCommandLine(['list_users', '--bogus', '-x=1']).bad, [
    { given: '--bogus', value: '' },
    { given: '-x', value: '1' },
  ]);
  assert.deepEqual(splitCommandLine(['list_queues', '-p']).bad, [{ given: '-p', value: '' }]);
});

test('-s is -q plus --no-table-headers; the vhost defaults to /; the socket is in the data dir', () => {
  const parsed = parseCommandLine(['list_users', '-s'], { WARREN_DATA_DIR: '/srv/warren' });
  assert.equal(parsed.kind, 'run');
  if (parsed.kind !== 'run') return;
  assert.deepEqual(parsed.output, { formatter: 'table', quiet: true, tableHeaders: false });
  assert.equal(parsed.vhost, '/');
  assert.deepEqual(parsed.target, { kind: 'socket', path: '/srv/warren/management.sock' });
});

test('--data-dir wins over WARREN_DATA_DIR, and ./warren-data is the last resort', () => {
  const fromFlag = parseCommandLine(['list_users', '--data-dir', '/a'], { WARREN_DATA_DIR: '/b' });
  assert.ok(fromFlag.kind === 'run' && fromFlag.target.kind === 'socket' && fromFlag.target.path === '/a/management.sock');
  const fallback = parseCommandLine(['list_users'], {});
  assert.ok(fallback.kind === 'run' && fallback.target.kind === 'socket' && fallback.target.path === `${process.cwd()}/warren-data/management.sock`);
});

test('--url carries its credentials (guest:guest when it has none)', () => {
  const parsed = parseCommandLine(['list_users', '--url', 'http://ad%40min:p%3Ass@broker:15672/'], {});
  assert.ok(parsed.kind === 'run' && parsed.target.kind === 'url');
  if (parsed.kind !== 'run' || parsed.target.kind !== 'url') return;
  assert.equal(parsed.target.username, 'ad@min');
  assert.equal(parsed.target.password, 'p:ss');
  const bare = parseCommandLine(['list_users', '--url', 'http://broker:15672'], {});
  assert.ok(bare.kind === 'run' && bare.target.kind === 'url' && bare.target.username === 'guest' && bare.target.password === 'guest');
  const bad = parseCommandLine(['list_users', '--url', 'amqp://broker'], {});
  assert.equal(bad.kind, 'usage');
});

test('a command-specific option on another command, an unknown formatter and a bad timeout are usage errors', () => {
  for (const argv of [['list_users', '--if-empty'], ['list_users', '--formatter', 'erlang'], ['list_users', '-t', 'soon'], ['purge_queue', 'q', '--no-table-headers']]) {
    assert.equal(parseCommandLine(argv, {}).kind, 'usage', argv.join(' '));
  }
  assert.equal(parseCommandLine(['delete_queue', 'q', '-e', '--if-unused'], {}).kind, 'run');
});

test('help goes to stdout (exit 0); no command or an unknown one to stderr (exit 64)', () => {
  assert.deepEqual(
    (({ kind, stream, exitCode }) => ({ kind, stream, exitCode }))(parseCommandLine(['list_users', '--help'], {}) as { kind: string; stream: string; exitCode: number }),
    { kind: 'message', stream: 'stdout', exitCode: 0 },
  );
  for (const argv of [[], ['--help'], ['no_such_command']]) {
    const parsed = parseCommandLine(argv, {});
    assert.ok(parsed.kind === 'message' && parsed.stream === 'stderr' && parsed.exitCode === 64, argv.join(' '));
  }
});

test('unknown commands get the nearest name within 5 edits, as rabbitmqctl (Levenshtein)', () => {
  assert.equal(editDistance('declare_queue', 'delete_queue'), 3);
  assert.equal(suggestCommand('declare_queue', COMMANDS), 'delete_queue');
  assert.equal(suggestCommand('list_queue', COMMANDS), 'list_queues');
  assert.equal(suggestCommand('bogus_command', COMMANDS), undefined);
});
