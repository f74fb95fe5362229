import { Gauge, type MetricType, type Registry } from 'prom-client';

/** Label values of one series, in the order they are printed. */
export type Labels = Readonly<Record<string, string>>;

/** One series of a metric: its labels and value. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/** What `# TYPE` says: RabbitMQ types alarms and info metrics as `untyped`. */
export type Kind = 'gauge' | 'counter' | 'untyped';

export interface MetricDefinition {
  readonly name: string;
  readonly help: string;
  readonly kind: Kind;
  /** Label names, in print order; empty for a single series without labels. */
  readonly labelNames?: readonly string[];
}

const NO_LABELS: Labels = {};

/**
 * A metric whose series are read from the broker when a scrape asks for them, and kept nowhere
 * in between: prom-client's registry calls get() and prints what it returns. The series are
 * handed over as they are (no per-series label hashing, which costs as much as printing with
 * 10,000 queues). Counters read totals the broker already keeps (deleted objects included), so
 * they only grow; nothing is incremented here.
 */
class ScrapedMetric extends Gauge<string> {
  private readonly kind: Kind;

  constructor(
    definition: MetricDefinition,
    registry: Registry,
    private readonly read: () => Iterable<Sample>,
  ) {
    super({ name: definition.name, help: definition.help, labelNames: definition.labelNames ?? [], registers: [registry] });
    this.kind = definition.kind;
  }

  override async get(): ReturnType<Gauge<string>['get']> {
    // Read before the first await: every metric of a scrape then reads in the same synchronous
    // pass, which BrokerSnapshot relies on to walk the broker once per scrape.
    const values = Array.from(this.read(), (s) => ({ labels: s.labels, value: s.value }));
    const base = await super.get();
    // prom-client's typings declare MetricType as a numeric enum; at run time it is the string
    // printed after `# TYPE`.
    return { ...base, type: this.kind as unknown as MetricType, values };
  }
}

/** A metric with one series per sample `read` gives at scrape time. */
export function metric(registry: Registry, definition: MetricDefinition, read: () => Iterable<Sample>): void {
  new ScrapedMetric(definition, registry, read);
}

/** A metric with one series without labels. */
export function single(registry: Registry, name: string, help: string, kind: Kind, read: () => number): void {
  metric(registry, { name, help, kind }, () => [{ labels: NO_LABELS, value: read() }]);
}
