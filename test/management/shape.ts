/**
 * Compares a response body with a recorded RabbitMQ one by shape: the same keys (less those
 * Warren documents as not reported), values of the same JSON types, list elements shaped like
 * the recorded list's first element. Values themselves (names, ports, counts) are not compared.
 */

export interface ShapeRules {
  /** Dotted paths (`*` for any list element or key) Warren does not report. */
  readonly missingOk?: readonly string[];
  /** Dotted paths whose content is data (arguments, client properties): only "an object" is checked. */
  readonly opaque?: readonly string[];
}

const GLOBAL_OPAQUE = ['arguments', 'client_properties', 'properties', 'cluster_state', 'socket_opts', 'headers', 'metadata.tags', 'limits'];

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function pathMatches(pattern: string, path: string): boolean {
  const p = pattern.split('.');
  const q = path.split('.');
  if (p.length !== q.length) return false;
  return p.every((s, i) => s === '*' || s === q[i]);
}

/** True when the last segment of `path` names an opaque value. */
function isOpaque(rules: ShapeRules, path: string): boolean {
  const last = path.split('.').pop() ?? '';
  return GLOBAL_OPAQUE.includes(last) || (rules.opaque ?? []).some((o) => pathMatches(o, path));
}

/** Differences between the recorded shape and the actual one, one line each. */
export function shapeDifferences(expected: unknown, actual: unknown, rules: ShapeRules = {}, path = ''): string[] {
  const te = typeOf(expected);
  const ta = typeOf(actual);
  const where = path === '' ? '(body)' : path;
  if (te !== ta) {
    // RabbitMQ writes null for some values Warren knows (and the other way round): allowed.
    if (te === 'null' || ta === 'null') return [];
    return [`${where}: expected ${te}, got ${ta}`];
  }
  if (te === 'array') {
    const e = expected as unknown[];
    const a = actual as unknown[];
    if (e.length === 0 || isOpaque(rules, path)) return [];
    // Each element is compared with RabbitMQ's element of the same name, else with its first.
    const sameName = (item: unknown) => e.find((x) => nameOf(x) !== undefined && nameOf(x) === nameOf(item)) ?? e[0];
    return a.flatMap((item) => shapeDifferences(sameName(item), item, rules, path === '' ? '*' : `${path}.*`)).filter(unique());
  }
  if (te !== 'object' || isOpaque(rules, path)) return [];
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const out: string[] = [];
  const sub = (k: string) => (path === '' ? k : `${path}.${k}`);
  const missingOk = (k: string) => (rules.missingOk ?? []).some((m) => pathMatches(m, sub(k)));
  for (const k of Object.keys(e)) {
    if (!(k in a)) {
      if (!missingOk(k)) out.push(`${sub(k)}: missing`);
      continue;
    }
    out.push(...shapeDifferences(e[k], a[k], rules, sub(k)));
  }
  for (const k of Object.keys(a)) if (!(k in e) && !missingOk(k)) out.push(`${sub(k)}: not in RabbitMQ's answer`);
  return out;
}

/**
 * An element's identity in a list: its vhost and name, less the addresses and ports in
 * connection and channel names (`127.0.0.1:60640 -> 127.0.0.1:36674 (2)` is channel 2 of the
 * scenario's connection on any broker).
 */
function nameOf(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (o['name'] === undefined) return undefined;
  const name = typeof o['name'] === 'string' ? o['name'].replace(/\d+\.\d+\.\d+\.\d+:\d+/g, 'address') : o['name'];
  return JSON.stringify([o['vhost'], name]);
}

function unique(): (s: string) => boolean {
  const seen = new Set<string>();
  return (s) => {
    if (seen.has(s)) return false;
    seen.add(s);
    return true;
  };
}
