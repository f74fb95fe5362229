/**
 * Every response recorded from RabbitMQ 3.10.8 (fixtures/, see record-fixtures.ts) against
 * Warren's answer to the same scenario: statuses and headers alike, error bodies equal, other
 * bodies of the same shape, less what Warren documents as not reported.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runScenario, type Recorded } from './scenario.js';
import { shapeDifferences, type ShapeRules } from './shape.js';
import { startManagedBroker, type ManagedBroker } from './support.js';
import { NOT_REPORTED, KNOWN_DIFFERENCES } from './not-reported.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '../../../test/management/fixtures');

let broker: ManagedBroker;
let results: Map<string, Recorded>;

before(async () => {
  broker = await startManagedBroker();
  results = await runScenario({ mgmtUrl: broker.api.baseUrl, amqpUrl: broker.amqpUrl, statsTimeoutMs: 10_000 });
});
after(() => broker?.close());

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

function isErrorBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && 'error' in body && 'reason' in body;
}

for (const file of fixtures) {
  const name = file.replace(/\.json$/, '');
  test(`${name} answers as RabbitMQ does`, { timeout: 10_000 }, () => {
    const expected = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Recorded;
    const actual = results.get(name);
    assert.ok(actual !== undefined, `the scenario recorded no '${name}'`);
    const known = KNOWN_DIFFERENCES[name];
    assert.equal(actual.status, known?.status ?? expected.status, `status of ${expected.request.method} ${expected.request.path}: ${JSON.stringify(actual.body)}`);
    for (const h of ['www-authenticate', 'allow']) assert.equal(actual.headers[h], expected.headers[h], `header ${h}`);
    assert.equal('location' in actual.headers, 'location' in expected.headers, 'a Location header');
    if (known?.body !== undefined) {
      assert.deepEqual(actual.body, known.body);
    } else if (isErrorBody(expected.body) || typeof expected.body === 'string' || expected.body === null) {
      assert.deepEqual(actual.body, expected.body);
    } else {
      const rules: ShapeRules = NOT_REPORTED[name] ?? {};
      assert.deepEqual(shapeDifferences(expected.body, actual.body, rules), []);
    }
  });
}
