/**
 * What the topologies of the fixtures do, as RabbitMQ 3.10.8 does it (every expectation here was
 * checked against a RabbitMQ node with the same file imported): where messages go, who may log
 * in, and what each user may do. The tests run the same probes against Warren.
 */
import type { Action } from './helpers.js';

export interface RouteProbe {
  readonly vhost: string;
  readonly credentials: readonly [string, string];
  readonly exchange: string;
  readonly routingKey: string;
  readonly headers?: Record<string, string | number>;
  readonly watched: readonly string[];
  readonly expected: readonly string[];
}

export interface LoginProbe {
  readonly user: string;
  readonly password: string;
  readonly vhost: string;
  readonly expected: 'ok' | 'bad-login' | 'no-access';
}

/** The routes, logins and permissions of one topology. */
export interface ProbeSet {
  readonly routes: readonly RouteProbe[];
  readonly logins: readonly LoginProbe[];
  readonly permissions: readonly PermissionProbe[];
}

export interface PermissionProbe {
  readonly user: string;
  readonly password: string;
  readonly vhost: string;
  readonly action: Action;
  readonly expected: 'ok' | number;
}

// ---- fixtures/handwritten.json ----

export const HANDWRITTEN_PASSWORDS: Readonly<Record<string, string>> = {
  guest: 'guest', // sha256
  admin: 'admin-pass', // sha256
  'orders-svc': 'orders-svc-secret', // sha512
  'legacy-app': 'legacy-pw', // md5
  reporting: 'r3port!ng', // sha256
};

const SHOP_QUEUES = ['orders.new', 'orders.all', 'orders.expired', 'orders.preview', 'unrouted', 'payments.eu', 'notifications.email', 'audit-log', 'legacy.inbox'];
const admin = ['admin', 'admin-pass'] as const;
const shop = (exchange: string, routingKey: string, expected: string[], headers?: Record<string, string | number>): RouteProbe => ({
  vhost: 'shop', credentials: admin, exchange, routingKey, watched: SHOP_QUEUES, expected: expected.sort(), ...(headers === undefined ? {} : { headers }),
});

const HANDWRITTEN_ROUTES: readonly RouteProbe[] = [
  shop('orders', 'order.created', ['orders.new', 'orders.all', 'audit-log']), // topic + exchange-to-exchange into an internal fanout
  shop('orders', 'order.paid', ['orders.all', 'audit-log', 'payments.eu']), // e2e binding with arguments into a direct exchange
  shop('orders', 'order.shipped.eu', ['orders.all']),
  shop('orders', 'misc', ['unrouted']), // alternate-exchange
  shop('notifications', '', ['notifications.email'], { channel: 'email' }), // headers x-match any
  shop('notifications', '', [], { channel: 'sms' }),
  shop('amq.topic', 'legacy.order.42', ['orders.all']), // a binding from an amq.* exchange
  shop('legacy', 'legacy', ['legacy.inbox']),
  { vhost: 'analytics', credentials: admin, exchange: 'events', routingKey: 'page.view', watched: ['events.raw'], expected: ['events.raw'] },
];

const pw = (user: string): string => HANDWRITTEN_PASSWORDS[user] ?? '';

const HANDWRITTEN_LOGINS: readonly LoginProbe[] = [
  ...Object.keys(HANDWRITTEN_PASSWORDS).map((user) => ({
    user, password: pw(user), vhost: user === 'guest' ? '/' : user === 'reporting' ? 'analytics' : 'shop', expected: 'ok' as const,
  })),
  { user: 'orders-svc', password: 'wrong', vhost: 'shop', expected: 'bad-login' },
  { user: 'legacy-app', password: 'legacy-pw', vhost: 'analytics', expected: 'no-access' },
];

const may = (user: string, vhost: string, action: Action, expected: 'ok' | number): PermissionProbe => ({ user, password: pw(user), vhost, action, expected });

const HANDWRITTEN_PERMISSIONS: readonly PermissionProbe[] = [
  may('orders-svc', 'shop', { kind: 'publish', exchange: 'orders', routingKey: 'order.created' }, 'ok'),
  may('orders-svc', 'shop', { kind: 'publish', exchange: 'payments', routingKey: 'order.paid' }, 403),
  may('orders-svc', 'shop', { kind: 'declare', queue: 'orders.scratch' }, 'ok'),
  may('orders-svc', 'shop', { kind: 'declare', queue: 'scratch' }, 403),
  may('orders-svc', 'shop', { kind: 'get', queue: 'orders.new' }, 'ok'),
  may('orders-svc', 'shop', { kind: 'get', queue: 'audit-log' }, 403),
  may('legacy-app', 'shop', { kind: 'publish', exchange: 'legacy', routingKey: 'legacy' }, 'ok'),
  may('legacy-app', 'shop', { kind: 'get', queue: 'legacy.inbox' }, 'ok'),
  may('legacy-app', 'shop', { kind: 'publish', exchange: 'orders', routingKey: 'order.created' }, 403),
  may('legacy-app', 'shop', { kind: 'declare', queue: 'legacy.scratch' }, 403),
  may('reporting', 'analytics', { kind: 'get', queue: 'events.raw' }, 'ok'),
  may('reporting', 'analytics', { kind: 'publish', exchange: 'events', routingKey: 'x' }, 403),
  may('reporting', 'shop', { kind: 'get', queue: 'audit-log' }, 'ok'),
  may('reporting', 'shop', { kind: 'get', queue: 'orders.all' }, 403),
  may('admin', 'shop', { kind: 'publish', exchange: 'audit', routingKey: '' }, 403), // internal exchange
];

// ---- fixtures/refd-3.10.8-*.json (exported from RabbitMQ 3.10.8) ----

export const REFD_PASSWORDS: Readonly<Record<string, string>> = {
  guest: 'guest', // sha256
  alice: 'alice-secret', // sha256, created with the HTTP API
  dave: 'dave-pass', // sha256, created with the HTTP API
  bob: 'bob-secret', // sha512, imported from a file
  carol: 'carol-pass', // md5, imported from a file
};

const PROD_QUEUES = ['orders.created', 'orders.all', 'dead-letters', 'transient-q', 'audit-log', 'unrouted-q', 'events.eu', 'payments'];
const prod = (exchange: string, routingKey: string, expected: string[], headers?: Record<string, string | number>): RouteProbe => ({
  vhost: 'prod', credentials: ['alice', 'alice-secret'], exchange, routingKey, watched: PROD_QUEUES, expected: expected.sort(), ...(headers === undefined ? {} : { headers }),
});

const REFD_ROUTES: readonly RouteProbe[] = [
  prod('orders', 'order.created', ['orders.created', 'orders.all', 'audit-log']),
  prod('orders', 'order.paid', ['orders.all', 'audit-log', 'payments']), // through the internal exchange internal-hub
  prod('orders', 'misc', ['audit-log']), // '#' to audit: the alternate exchange is not needed
  prod('events', '', ['events.eu'], { region: 'eu', priority: 1 }),
  prod('events', '', [], { region: 'eu' }),
  prod('amq.topic', 'legacy.x', ['orders.all']),
  prod('dlx', 't', ['transient-q']),
  { vhost: 'staging', credentials: ['alice', 'alice-secret'], exchange: 'jobs', routingKey: 'default', watched: ['jobs.default'], expected: ['jobs.default'] },
];

const refd = (user: string): string => REFD_PASSWORDS[user] ?? '';

const REFD_LOGINS: readonly LoginProbe[] = [
  { user: 'guest', password: 'guest', vhost: '/', expected: 'ok' },
  { user: 'alice', password: refd('alice'), vhost: 'prod', expected: 'ok' },
  { user: 'dave', password: refd('dave'), vhost: 'prod', expected: 'ok' },
  { user: 'bob', password: refd('bob'), vhost: 'prod', expected: 'ok' },
  { user: 'carol', password: refd('carol'), vhost: 'staging', expected: 'ok' },
  { user: 'carol', password: refd('carol'), vhost: 'prod', expected: 'no-access' },
  { user: 'bob', password: 'wrong', vhost: 'prod', expected: 'bad-login' },
  { user: 'erin', password: '', vhost: 'prod', expected: 'bad-login' }, // no password hash: cannot log in with a password
];

const REFD_PERMISSIONS: readonly PermissionProbe[] = [
  { user: 'dave', password: refd('dave'), vhost: 'prod', action: { kind: 'publish', exchange: 'orders', routingKey: 'order.created' }, expected: 'ok' },
  { user: 'dave', password: refd('dave'), vhost: 'prod', action: { kind: 'publish', exchange: 'dlx', routingKey: 'dead' }, expected: 403 },
  { user: 'dave', password: refd('dave'), vhost: 'prod', action: { kind: 'declare', queue: 'dave-tmp' }, expected: 'ok' },
  { user: 'dave', password: refd('dave'), vhost: 'prod', action: { kind: 'get', queue: 'orders.all' }, expected: 403 },
  { user: 'bob', password: refd('bob'), vhost: 'prod', action: { kind: 'get', queue: 'orders.all' }, expected: 'ok' },
  { user: 'bob', password: refd('bob'), vhost: 'prod', action: { kind: 'publish', exchange: 'orders', routingKey: 'order.created' }, expected: 403 },
  { user: 'carol', password: refd('carol'), vhost: 'staging', action: { kind: 'get', queue: 'jobs.default' }, expected: 'ok' },
  { user: 'carol', password: refd('carol'), vhost: 'staging', action: { kind: 'declare', queue: 'other' }, expected: 403 },
];

export const HANDWRITTEN: ProbeSet = { routes: HANDWRITTEN_ROUTES, logins: HANDWRITTEN_LOGINS, permissions: HANDWRITTEN_PERMISSIONS };
export const REFD: ProbeSet = { routes: REFD_ROUTES, logins: REFD_LOGINS, permissions: REFD_PERMISSIONS };
