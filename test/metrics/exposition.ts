/**
 * A parser for the Prometheus text exposition format (version 0.0.4) and a scraper, for tests:
 * every metric family with its HELP, TYPE and samples, label values unescaped.
 */
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  help?: string;
  type?: string;
  readonly samples: Sample[];
}

export class Exposition {
  readonly families = new Map<string, Family>();

  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (meta !== null) {
        const f = this.family(meta[2]!);
        if (meta[1] === 'HELP') f.help = meta[3]!.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
        else f.type = meta[3]!;
        continue;
      }
      if (line.startsWith('#')) continue;
      const sample = parseSample(line);
      this.family(familyName(sample.name, this.families)).samples.push(sample);
    }
  }

  private family(name: string): Family {
    let f = this.families.get(name);
    if (f === undefined) this.families.set(name, (f = { samples: [] }));
    return f;
  }

  has(name: string): boolean {
    return this.families.has(name);
  }

  /** The samples of a metric whose labels include `labels`. */
  samples(name: string, labels: Readonly<Record<string, string>> = {}): Sample[] {
    const f = this.families.get(name);
    if (f === undefined) return [];
    return f.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** The value of the one sample of `name` with `labels`; throws when there is none or several. */
  value(name: string, labels: Readonly<Record<string, string>> = {}): number {
    const found = this.samples(name, labels);
    if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
    return found[0]!.value;
  }
}

/** Histogram and summary samples (x_bucket, x_sum, x_count) belong to family x. */
function familyName(sample: string, known: ReadonlyMap<string, Family>): string {
  if (known.has(sample)) return sample;
  const m = /^(.*)_(bucket|sum|count)$/.exec(sample);
  return m !== null && known.has(m[1]!) ? m[1]! : sample;
}

function parseSample(line: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
  if (m === null) throw new Error(`not a sample line: ${line}`);
  const labels: Record<string, string> = {};
  const body = m[2];
  if (body !== undefined) {
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
    re.lastIndex = 1;
    while (re.lastIndex < body.length - 1) {
      const l = re.exec(body);
      if (l === null) throw new Error(`bad labels in: ${line}`);
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
  }
  const raw = m[3]!;
  const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' || raw === 'Nan' ? NaN : Number(raw);
  if (Number.isNaN(value) && !/^nan$/i.test(raw)) throw new Error(`bad value in: ${line}`);
  return { name: m[1]!, labels, value };
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body, gunzipped when it came compressed. */
  readonly body: string;
}

/** One HTTP request (no automatic decompression or headers, unlike fetch), bounded in time. */
export function request(url: string, options: { method?: string; headers?: Record<string, string> } = {}, timeoutMs = 10_000): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = get(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs}ms: ${url}`)));
    req.on('error', reject);
  });
}

/** GET a metrics URL and parse it; throws unless the answer is 200. */
export async function scrape(url: string): Promise<Exposition> {
  const res = await request(url);
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  return new Exposition(res.body);
}
