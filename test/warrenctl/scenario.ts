/**
 * The warrenctl golden scenario: one ordered list of steps that is played twice. Once against
 * a real RabbitMQ with `rabbitmqctl` (record-golden.ts writes what it printed into golden/),
 * and once against Warren with `bin/warrenctl` (golden-replay.test.ts compares). Steps depend
 * on the state the steps before them left, so the order matters.
 *
 * Placeholders in args, stdin and file contents: `{dir}` is a scratch directory,
 * `{connection}` the fixture connection's identifier (rabbitmqctl: its pid; warrenctl: its name).
 */

/** How a run is compared with its golden output (exit code, stdout and stderr always unless said). */
export interface Comparison {
  /** Table rows (or JSON list entries) may come in any order. */
  readonly sortRows?: boolean;
  /** Columns whose values differ between brokers (ports, pids, memory): compared as present only. */
  readonly mask?: readonly string[];
  /** Golden table rows to leave out (things RabbitMQ has and Warren does not). */
  readonly dropRows?: RegExp;
  /**
   * What else to compare beyond the exit code: 'all' (default), 'stdout' (stderr is RabbitMQ's
   * own wording, e.g. an Erlang term), 'first-line' (first line of stdout and stderr only),
   * 'help' (stdout up to the General Options, which name warrenctl's own options),
   * 'exit' (nothing else; the texts are checked by a dedicated test).
   */
  readonly scope?: 'all' | 'stdout' | 'first-line' | 'help' | 'exit';
}

export interface CtlStep {
  readonly kind: 'ctl';
  /** Golden file name (golden/ID.json). */
  readonly id: string;
  readonly args: readonly string[];
  readonly stdin?: string;
  readonly compare?: Comparison;
  /** rabbitmqctl is pointed at a node that does not exist, warrenctl at a missing data dir. */
  readonly unreachable?: true;
}

export interface FixtureStep {
  readonly kind: 'fixture';
  /** open: declare queues, exchanges, bindings, publish, start a consumer. close: undo all of it. */
  readonly action: 'open' | 'close';
}

export interface FileStep {
  readonly kind: 'file';
  readonly path: string;
  readonly content: string;
}

export type Step = CtlStep | FixtureStep | FileStep;

function ctl(id: string, args: readonly string[], compare?: Comparison, stdin?: string): CtlStep {
  return { kind: 'ctl', id, args, ...(compare !== undefined ? { compare } : {}), ...(stdin !== undefined ? { stdin } : {}) };
}

const sorted: Comparison = { sortRows: true };
const QUEUE_COLUMNS = ['name', 'durable', 'auto_delete', 'arguments', 'messages', 'messages_ready', 'messages_unacknowledged', 'consumers', 'memory', 'state'];
const NO_TRACE: Comparison = { sortRows: true, dropRows: /amq\.rabbitmq\.trace/ };

export const SCENARIO: readonly Step[] = [
  // General usage and help.
  ctl('usage-no-command', [], { scope: 'exit' }),
  ctl('help', ['help'], { scope: 'exit' }),
  ctl('help-add_user', ['help', 'add_user'], { scope: 'help' }),
  ctl('help-list_queues', ['help', 'list_queues'], { scope: 'help' }),
  ctl('help-option-list_queues', ['list_queues', '--help'], { scope: 'help' }),
  ctl('help-unknown', ['help', 'bogus']),
  ctl('unknown-command', ['bogus_command'], { scope: 'first-line' }),
  ctl('unknown-command-suggestion', ['declare_queue']),
  ctl('version', ['version'], { scope: 'exit' }),

  // Users.
  ctl('list_users', ['list_users']),
  ctl('list_users-quiet', ['list_users', '-q']),
  ctl('list_users-no-headers', ['list_users', '--no-table-headers']),
  ctl('list_users-quiet-no-headers', ['-q', 'list_users', '--no-table-headers']),
  ctl('list_users-silent', ['list_users', '-s']),
  ctl('list_users-json', ['list_users', '--formatter', 'json']),
  ctl('list_users-csv', ['list_users', '--formatter', 'csv']),
  ctl('list_users-table', ['list_users', '--formatter', 'table']),
  ctl('list_users-json-no-headers', ['list_users', '--no-table-headers', '--formatter', 'json']),
  ctl('list_users-too-many-args', ['list_users', 'extra']),
  ctl('list_users-bad-option', ['list_users', '--bogus']),
  ctl('add_user', ['add_user', 'alice', 'secret']),
  ctl('add_user-exists', ['add_user', 'alice', 'secret']),
  ctl('add_user-no-args', ['add_user']),
  ctl('add_user-too-many-args', ['add_user', 'a', 'b', 'c']),
  ctl('add_user-no-password', ['add_user', 'bob'], undefined, ''),
  ctl('add_user-json', ['add_user', 'carol', 'pw', '--formatter', 'json']),
  ctl('add_user-quiet', ['add_user', '-q', 'dave', 'pw']),
  ctl('add_user-no-table-headers', ['add_user', 'x', 'y', '--no-table-headers']),
  ctl('authenticate_user', ['authenticate_user', 'alice', 'secret']),
  ctl('authenticate_user-wrong-password', ['authenticate_user', 'alice', 'wrong']),
  ctl('authenticate_user-no-such-user', ['authenticate_user', 'nobody', 'x']),
  ctl('authenticate_user-json', ['authenticate_user', 'alice', 'secret', '--formatter', 'json']),
  ctl('authenticate_user-quiet', ['authenticate_user', '-q', 'alice', 'secret']),
  ctl('change_password', ['change_password', 'alice', 'newpw']),
  ctl('change_password-no-such-user', ['change_password', 'nobody', 'x']),
  ctl('authenticate_user-new-password', ['authenticate_user', 'alice', 'newpw']),
  ctl('change_password-json', ['change_password', 'alice', 'newpw', '--formatter', 'json']),
  ctl('set_user_tags', ['set_user_tags', 'alice', 'monitoring', 'policymaker']),
  ctl('set_user_tags-no-such-user', ['set_user_tags', 'nobody', 'administrator']),
  ctl('set_user_tags-none', ['set_user_tags', 'carol']),
  ctl('set_user_tags-no-args', ['set_user_tags']),
  ctl('list_users-after-tags', ['list_users'], sorted),
  ctl('list_users-after-tags-json', ['list_users', '--formatter', 'json'], sorted),
  ctl('clear_password', ['clear_password', 'alice']),
  ctl('clear_password-no-such-user', ['clear_password', 'nobody']),
  ctl('authenticate_user-cleared', ['authenticate_user', 'alice', 'newpw']),
  ctl('delete_user', ['delete_user', 'alice']),
  ctl('delete_user-missing', ['delete_user', 'alice']),
  ctl('delete_user-json', ['delete_user', 'carol', '--formatter', 'json']),
  ctl('delete_user-missing-json', ['delete_user', 'carol', '--formatter', 'json']),
  ctl('delete_user-quiet', ['delete_user', '-q', 'dave']),

  // Virtual hosts.
  ctl('list_vhosts', ['list_vhosts']),
  ctl('list_vhosts-columns', ['list_vhosts', 'name', 'tracing', 'description', 'tags', 'default_queue_type']),
  ctl('list_vhosts-quiet', ['list_vhosts', '-q']),
  ctl('list_vhosts-no-headers', ['list_vhosts', '--no-table-headers']),
  ctl('list_vhosts-bad-column', ['list_vhosts', 'name', 'tracing', 'bogus']),
  ctl('add_vhost', ['add_vhost', 'v1']),
  ctl('add_vhost-exists', ['add_vhost', 'v1']),
  ctl('list_vhosts-two', ['list_vhosts', 'name', 'tracing'], sorted),
  ctl('list_vhosts-json', ['list_vhosts', '--formatter', 'json', 'name', 'tracing', 'tags'], { sortRows: true, mask: ['tags'] }),
  ctl('delete_vhost-missing', ['delete_vhost', 'nope']),
  ctl('add_vhost-json', ['add_vhost', 'v2', '--formatter', 'json']),
  ctl('delete_vhost-json', ['delete_vhost', 'v2', '--formatter', 'json']),
  ctl('add_vhost-quiet', ['add_vhost', '-q', 'v3']),
  ctl('delete_vhost', ['delete_vhost', 'v3']),

  // Permissions.
  ctl('add_user-perm', ['add_user', 'perm-user', 'pw']),
  ctl('set_permissions', ['set_permissions', '-p', 'v1', 'perm-user', '^perm-.*', '.*', '']),
  ctl('set_permissions-guest', ['set_permissions', '--vhost', 'v1', 'guest', '.*', '.*', '.*']),
  ctl('set_permissions-no-vhost', ['set_permissions', '-p', 'nope', 'guest', '.*', '.*', '.*']),
  ctl('set_permissions-no-user', ['set_permissions', '-p', 'v1', 'nobody', 'a', 'b', 'c']),
  ctl('set_permissions-no-user-no-vhost', ['set_permissions', '-p', 'nope', 'nobody', 'a', 'b', 'c']),
  ctl('set_permissions-not-enough-args', ['set_permissions', 'guest', 'a', 'b']),
  ctl('set_permissions-json', ['set_permissions', '-p', 'v1', 'perm-user', '^perm-.*', '.*', '', '--formatter', 'json']),
  ctl('list_permissions', ['list_permissions']),
  ctl('list_permissions-v1', ['list_permissions', '-p', 'v1'], sorted),
  ctl('list_permissions-v1-json', ['list_permissions', '-p', 'v1', '--formatter', 'json'], sorted),
  ctl('list_permissions-v1-silent', ['list_permissions', '-p', 'v1', '-q', '--no-table-headers'], sorted),
  ctl('list_permissions-no-vhost', ['list_permissions', '-p', 'nope']),
  ctl('list_user_permissions', ['list_user_permissions', 'perm-user']),
  ctl('list_user_permissions-guest', ['list_user_permissions', 'guest'], sorted),
  ctl('list_user_permissions-guest-json', ['list_user_permissions', 'guest', '--formatter', 'json'], sorted),
  ctl('list_user_permissions-no-user', ['list_user_permissions', 'nobody']),
  ctl('list_user_permissions-no-args', ['list_user_permissions']),
  ctl('clear_permissions', ['clear_permissions', '-p', 'v1', 'perm-user']),
  ctl('clear_permissions-no-user', ['clear_permissions', '-p', 'v1', 'nobody']),
  ctl('clear_permissions-no-vhost', ['clear_permissions', '-p', 'nope', 'guest']),
  ctl('list_user_permissions-none', ['list_user_permissions', 'perm-user']),
  ctl('clear_permissions-json', ['clear_permissions', '-p', 'v1', 'guest', '--formatter', 'json']),
  ctl('delete_vhost-v1', ['delete_vhost', 'v1']),
  ctl('delete_user-perm', ['delete_user', 'perm-user']),

  // Queues, exchanges, bindings, connections, channels, consumers.
  ctl('list_queues-empty', ['list_queues']),
  ctl('list_queues-empty-json', ['list_queues', '--formatter', 'json']),
  { kind: 'fixture', action: 'open' },
  ctl('list_queues', ['list_queues'], sorted),
  ctl('list_queues-quiet', ['list_queues', '-q'], sorted),
  ctl('list_queues-no-headers', ['list_queues', '--no-table-headers'], sorted),
  ctl('list_queues-json', ['list_queues', '--formatter', 'json'], sorted),
  ctl('list_queues-csv', ['list_queues', 'name', 'messages', '--formatter', 'csv'], sorted),
  ctl('list_queues-columns', ['list_queues', ...QUEUE_COLUMNS], { sortRows: true, mask: ['memory'] }),
  ctl('list_queues-columns-json', ['list_queues', '--formatter', 'json', 'name', 'durable', 'auto_delete', 'messages', 'consumers', 'state', 'exclusive', 'policy', 'type'], sorted),
  ctl('list_queues-arguments-json', ['list_queues', '--formatter', 'json', 'name', 'arguments'], { sortRows: true, mask: ['arguments'] }),
  ctl('list_queues-timeout', ['list_queues', '-t', '5', 'name', 'messages_ready'], sorted),
  ctl('list_queues-vhost-option', ['list_queues', '--vhost', '/', 'name'], sorted),
  ctl('list_queues-no-vhost', ['list_queues', '-p', 'nope']),
  ctl('list_queues-bad-column', ['list_queues', 'bogus']),
  ctl('list_queues-missing-vhost-value', ['list_queues', '-p']),
  ctl('list_exchanges', ['list_exchanges'], NO_TRACE),
  ctl('list_exchanges-quiet', ['list_exchanges', '-q'], NO_TRACE),
  ctl('list_exchanges-quiet-no-headers', ['list_exchanges', '--no-table-headers', '-q', 'name'], NO_TRACE),
  ctl('list_exchanges-columns', ['list_exchanges', 'name', 'type', 'durable', 'auto_delete', 'internal', 'arguments', 'policy'], NO_TRACE),
  ctl('list_exchanges-json', ['list_exchanges', '--formatter', 'json'], { sortRows: true, dropRows: /amq\.rabbitmq\.trace/ }),
  ctl('list_exchanges-no-vhost', ['list_exchanges', '-p', 'nope']),
  ctl('list_bindings', ['list_bindings'], sorted),
  ctl('list_bindings-quiet', ['list_bindings', '-q'], sorted),
  ctl('list_bindings-silent', ['list_bindings', '-s', 'source_name', 'routing_key'], sorted),
  ctl('list_bindings-json', ['list_bindings', '--formatter', 'json'], sorted),
  ctl('list_bindings-columns', ['list_bindings', 'source_name', 'destination_name', 'routing_key'], sorted),
  ctl('list_bindings-no-vhost', ['list_bindings', '-p', 'nope']),
  ctl('list_connections', ['list_connections'], { mask: ['peer_port'] }),
  ctl('list_connections-columns', ['list_connections', 'name', 'user', 'vhost', 'channels', 'protocol', 'auth_mechanism', 'state', 'ssl', 'channel_max', 'timeout'], { mask: ['name', 'channel_max', 'timeout'] }),
  ctl('list_connections-json', ['list_connections', '--formatter', 'json'], { mask: ['peer_port', 'peer_host'] }),
  ctl('list_connections-quiet-user', ['list_connections', '--no-table-headers', '-q', 'user']),
  ctl('list_connections-bad-column', ['list_connections', 'name', 'bogus']),
  ctl('list_channels', ['list_channels'], { sortRows: true, mask: ['pid'] }),
  ctl('list_channels-quiet', ['list_channels', '-q'], { sortRows: true, mask: ['pid'] }),
  ctl('list_channels-columns', ['list_channels', 'name', 'number', 'user', 'vhost', 'consumer_count', 'prefetch_count', 'messages_unacknowledged', 'confirm', 'transactional'], { sortRows: true, mask: ['name'] }),
  ctl('list_channels-json', ['list_channels', '--formatter', 'json'], { sortRows: true, mask: ['pid'] }),
  ctl('list_consumers', ['list_consumers'], { mask: ['channel_pid'] }),
  ctl('list_consumers-json', ['list_consumers', '--formatter', 'json'], { mask: ['channel_pid'] }),
  ctl('list_consumers-silent', ['list_consumers', '-s', 'queue_name', 'consumer_tag', 'prefetch_count']),
  ctl('list_consumers-columns', ['list_consumers', 'queue_name', 'consumer_tag', 'activity_status', 'arguments']),
  ctl('list_consumers-no-vhost', ['list_consumers', '-p', 'nope']),
  ctl('delete_queue-if-unused-in-use', ['delete_queue', 'q.transient', '--if-unused']),
  ctl('delete_queue-if-empty-not-empty', ['delete_queue', 'q.durable', '--if-empty']),
  ctl('purge_queue', ['purge_queue', 'q.durable']),
  ctl('list_queues-after-purge', ['list_queues', '-q', 'name', 'messages'], sorted),
  ctl('purge_queue-json', ['purge_queue', 'q.durable', '--formatter', 'json']),
  ctl('purge_queue-missing', ['purge_queue', 'nope']),
  ctl('purge_queue-no-vhost', ['purge_queue', '-p', 'nope', 'q']),
  ctl('purge_queue-no-args', ['purge_queue']),
  ctl('purge_queue-too-many-args', ['purge_queue', 'a', 'b']),
  ctl('delete_queue-if-empty', ['delete_queue', 'q.durable', '--if-empty']),
  ctl('delete_queue-missing', ['delete_queue', 'nope']),
  ctl('delete_queue-no-vhost', ['delete_queue', '-p', 'nope', 'q']),
  ctl('close_connection', ['close_connection', '{connection}', 'bye']),
  ctl('close_connection-unknown', ['close_connection', 'nope', 'bye'], { scope: 'first-line' }),
  ctl('close_connection-no-reason', ['close_connection', 'a']),
  { kind: 'fixture', action: 'close' },
  ctl('delete_queue', ['delete_queue', 'q.transient']),
  ctl('delete_queue-quiet', ['delete_queue', '-q', 'q.extra']),
  ctl('delete_queue-json', ['delete_queue', 'q.spare', '--formatter', 'json']),

  // Definitions.
  ctl('export_definitions', ['export_definitions', '{dir}/defs.json']),
  ctl('export_definitions-json', ['export_definitions', '{dir}/defs2.json', '--formatter', 'json']),
  ctl('export_definitions-stdout', ['export_definitions', '-'], { scope: 'exit' }),
  ctl('export_definitions-no-dir', ['export_definitions', '{dir}/missing/defs.json']),
  ctl('export_definitions-no-args', ['export_definitions']),
  ctl('export_definitions-too-many-args', ['export_definitions', '{dir}/a.json', '{dir}/b.json']),
  ctl('import_definitions', ['import_definitions', '{dir}/defs.json']),
  ctl('import_definitions-quiet', ['import_definitions', '-q', '{dir}/defs.json']),
  ctl('import_definitions-json', ['import_definitions', '{dir}/defs.json', '--formatter', 'json'], { scope: 'exit' }),
  ctl('import_definitions-missing-file', ['import_definitions', '{dir}/missing.json']),
  { kind: 'file', path: '{dir}/garbage.json', content: 'garbage\n' },
  ctl('import_definitions-garbage', ['import_definitions', '{dir}/garbage.json'], { scope: 'first-line' }),
  ctl('import_definitions-empty-stdin', ['import_definitions'], { scope: 'first-line' }, ''),

  // Node.
  ctl('status', ['status'], { scope: 'exit' }),
  ctl('status-json', ['status', '--formatter', 'json'], { scope: 'exit' }),
  ctl('status-bad-option', ['status', '--bogus']),
  { kind: 'ctl', id: 'unreachable', args: ['list_users'], compare: { scope: 'exit' }, unreachable: true },
];
