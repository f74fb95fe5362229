/** Unit tests: cell values as rabbitmqctl prints them, and the table / JSON / CSV layouts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressTuple, argumentsCell, nameListCell, nodeStatesCell, plainCell, termText } from '../../src/ctl/cells.js';
import { Output } from '../../src/ctl/output.js';
import type { OutputSettings } from '../../src/ctl/output.js';
import { sortedJson } from '../../src/ctl/commands/definitions.js';

test('values: tags, x-arguments, node states, nested terms', () => {
  assert.deepEqual(nameListCell(['monitoring', 'policymaker']), { text: '[monitoring, policymaker]', json: ['monitoring', 'policymaker'] });
  assert.deepEqual(nameListCell('a,b'), { text: '[a, b]', json: ['a', 'b'] });
  assert.deepEqual(argumentsCell({ 'x-max-priority': 5, 'x-dead-letter-exchange': 'dlx', 'x-ha': 0.5, 'x-t': { a: true } }), {
    text: '[{"x-max-priority",5},{"x-dead-letter-exchange","dlx"},{"x-ha",0.5},{"x-t",[{"a",true}]}]',
    json: [
      ['x-max-priority', 'long', 5],
      ['x-dead-letter-exchange', 'longstr', 'dlx'],
      ['x-ha', 'double', 0.5],
      ['x-t', 'table', [['a', 'bool', true]]],
    ],
  });
  assert.deepEqual(argumentsCell(undefined), { text: '[]', json: [] });
  assert.equal(nodeStatesCell({ 'rabbit@h': 'running' }).text, '[{rabbit@h, running}]');
  assert.equal(termText({ product: 'x', capabilities: { 'basic.nack': true }, list: [1, 'a'], none: null }), '[{"product","x"},{"capabilities",[{"basic.nack",true}]},{"list",[1,"a"]},{"none",undefined}]');
  assert.deepEqual(plainCell(null), { text: '', json: '' });
  assert.deepEqual(plainCell(false), { text: 'false', json: false });
});

test('addresses in JSON are Erlang tuples, IPv4-mapped IPv6 included', () => {
  assert.deepEqual(addressTuple('127.0.0.1'), [127, 0, 0, 1]);
  assert.deepEqual(addressTuple('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(addressTuple('::ffff:127.0.0.1'), [0, 0, 0, 0, 0, 65535, 32512, 1]);
  assert.deepEqual(addressTuple('fe80::1:2'), [65152, 0, 0, 0, 0, 0, 1, 2]);
  assert.equal(addressTuple('localhost'), null);
});

function capture(settings: OutputSettings): { out: Output; text: () => string } {
  let text = '';
  return { out: new Output(settings, (t) => (text += t)), text: () => text };
}

const rows = [
  [plainCell('a'), plainCell(1)],
  [plainCell('b "q"'), plainCell(2)],
];

test('table: banner, header, tab-separated rows; -q drops the banner, --no-table-headers the header', () => {
  const full = capture({ formatter: 'table', quiet: false, tableHeaders: true });
  full.out.info('Listing things ...');
  full.out.list(['name', 'n'], rows);
  assert.equal(full.text(), 'Listing things ...\nname\tn\na\t1\nb "q"\t2\n');
  const silent = capture({ formatter: 'table', quiet: true, tableHeaders: false });
  silent.out.info('Listing things ...');
  silent.out.list(['name', 'n'], rows);
  assert.equal(silent.text(), 'a\t1\nb "q"\t2\n');
});

test('an empty table prints no header at all (rabbitmqctl), JSON an empty list', () => {
  const table = capture({ formatter: 'table', quiet: true, tableHeaders: true });
  table.out.list(['name'], []);
  assert.equal(table.text(), '');
  const json = capture({ formatter: 'json', quiet: false, tableHeaders: true });
  json.out.info('Listing things ...');
  json.out.list(['name'], []);
  assert.equal(json.text(), '[\n]\n');
});

test('JSON lists put one object per line with leading commas; CSV quotes every field', () => {
  const json = capture({ formatter: 'json', quiet: false, tableHeaders: true });
  json.out.list(['name', 'n'], rows);
  assert.equal(json.text(), '[\n{"name":"a","n":1}\n,{"name":"b \\"q\\"","n":2}\n]\n');
  const csv = capture({ formatter: 'csv', quiet: false, tableHeaders: true });
  csv.out.info('Listing things ...');
  csv.out.list(['name', 'n'], rows);
  assert.equal(csv.text(), '"name","n"\n"a","1"\n"b ""q""","2"\n');
});

test('exported definitions have their keys sorted at every level, compact', () => {
  assert.equal(sortedJson({ b: [{ z: 1, a: 2 }], a: null }), '{"a":null,"b":[{"a":2,"z":1}]}');
});
