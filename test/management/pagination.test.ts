/** Lists as RabbitMQ pages, sorts, filters and trims them (?page, sort, name, use_regex, columns). */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startManagedBroker, type ManagedBroker } from './support.js';
import { list, obj } from './http.js';

let b: ManagedBroker;
const T = { timeout: 15_000 };

before(async () => {
  b = await startManagedBroker();
  const v = b.running.broker.vhosts.get('/')!;
  for (let i = 0; i < 250; i++) {
    const name = `p-${String(i).padStart(3, '0')}`;
    v.declareQueue({ name, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: new Map() }, {});
  }
  for (let i = 0; i < 3; i++) await b.api.post('/api/exchanges/%2F/amq.default/publish', { routing_key: 'p-007', payload: 'x', payload_encoding: 'string', properties: {} });
});
after(() => b?.close());

test('a page object with RabbitMQ\'s fields; without page, a plain sorted list', T, async () => {
  const page = obj(await b.api.json('/api/queues?page=2&page_size=100'));
  assert.deepEqual(Object.keys(page), ['filtered_count', 'item_count', 'items', 'page', 'page_count', 'page_size', 'total_count']);
  assert.deepEqual([page['filtered_count'], page['item_count'], page['page'], page['page_count'], page['page_size'], page['total_count']], [250, 100, 2, 3, 100, 250]);
  assert.equal(list(page['items'])[0]?.['name'], 'p-100');
  const all = list(await b.api.json('/api/queues'));
  assert.equal(all.length, 250);
  assert.deepEqual(all.slice(0, 2).map((q) => q['name']), ['p-000', 'p-001']);
  const last = obj(await b.api.json('/api/queues?page=3'));
  assert.deepEqual([last['item_count'], last['page_size']], [50, 100]);
});

test('sort by any column, reversed; ties fall back to vhost and name', T, async () => {
  const byMessages = obj(await b.api.json('/api/queues?page=1&page_size=2&sort=messages&sort_reverse=true'));
  assert.deepEqual(list(byMessages['items']).map((q) => [q['name'], q['messages']]), [['p-007', 3], ['p-249', 0]]);
  const byRate = obj(await b.api.json('/api/queues?page=1&page_size=1&sort=message_stats.publish&sort_reverse=true'));
  assert.equal(list(byRate['items'])[0]?.['name'], 'p-007');
  const reversed = list(await b.api.json('/api/queues?sort=name&sort_reverse=true'));
  assert.equal(reversed[0]?.['name'], 'p-249');
});

test('name filters (substring, case-insensitive, or regex) count into filtered_count', T, async () => {
  const sub = obj(await b.api.json('/api/queues?page=1&page_size=500&name=P-01'));
  assert.deepEqual([sub['filtered_count'], sub['total_count']], [10, 250]);
  const re = obj(await b.api.json(`/api/queues?page=1&name=${encodeURIComponent('^p-2[0-4]5$')}&use_regex=true`));
  assert.deepEqual(list(re['items']).map((q) => q['name']), ['p-205', 'p-215', 'p-225', 'p-235', 'p-245']);
});

test('columns keep only the named fields, nested ones too', T, async () => {
  const rows = list(await b.api.json('/api/queues?columns=name,message_stats.publish&sort=name'));
  assert.deepEqual(rows[7], { message_stats: { publish: 3 }, name: 'p-007' });
  assert.deepEqual(rows[0], { name: 'p-000' });
  const page = obj(await b.api.json('/api/queues?page=1&page_size=1&columns=name'));
  assert.deepEqual(page['items'], [{ name: 'p-000' }]);
  assert.deepEqual(await b.api.json('/api/overview?columns=object_totals.queues'), { object_totals: { queues: 250 } });
  // Cheap columns only (the web UI's header asks for this every few seconds), and a mix.
  assert.deepEqual(await b.api.json('/api/vhosts?columns=name'), [{ name: '/' }]);
  assert.deepEqual(await b.api.json('/api/vhosts?columns=name,messages'), [{ name: '/', messages: 3 }]);
});

test('invalid paging is a 400 in RabbitMQ\'s words', T, async () => {
  assert.deepEqual((await b.api.get('/api/queues?page=0')).json, {
    error: 'invalid_pagination_parameters',
    reason: 'Invalid pagination parameters: page number 0, page size undefined',
  });
  assert.deepEqual((await b.api.get('/api/queues?page=5&page_size=100')).json, {
    error: 'page_out_of_range',
    reason: 'Page out of range, page: 5 page size: 100, len: 250',
  });
  // A page may start just past the end (Erlang's lists:sublist): empty, not an error.
  assert.equal(obj(await b.api.json('/api/queues?page=6&page_size=50'))['item_count'], 0);
});
