// Metrics whose values are read from a scoreboard snapshot at each scrape. The scoreboard already
// holds the totals (its writers count them), so a metric here is set, not counted: each collect()
// clears the metric and writes what the snapshot says, which also drops the series of children that
// have gone. Counters stay prom-client Counters, so that `# TYPE` says counter: reset() then inc()
// by the scoreboard's value is how a Counter is set. A read that gives no sample (the value is damaged
// on the scoreboard) leaves the metric with none.
import { Counter, Gauge, type Registry } from "prom-client";
import { LATENCY_BUCKETS_MS, type ScoreboardSnapshot } from "../../../scoreboard/index.ts";
import { BucketHistogram, type HistogramSample } from "./bucket-histogram.ts";

export type Labels = Readonly<Record<string, string>>;

/** One series of a metric: its labels and its value. */
export type Sample = readonly [labels: Labels, value: number];

/** What a metric reads from a snapshot: one value, or a value per label set (none: no sample). */
export type Read = (snapshot: ScoreboardSnapshot) => number | Iterable<Sample>;

export interface MetricSpec {
  /** The name without the prefix. */
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  readonly read: Read;
}

/** Makes metrics in `registry` whose collect() reads the snapshot `current()` returns. */
export class ScoreboardMetrics {
  readonly #registry: Registry;
  readonly #prefix: string;
  readonly #current: () => ScoreboardSnapshot;

  constructor(registry: Registry, prefix: string, current: () => ScoreboardSnapshot) {
    this.#registry = registry;
    this.#prefix = prefix;
    this.#current = current;
  }

  gauge(spec: MetricSpec): void {
    const current = this.#current;
    new Gauge({
      ...this.#config(spec),
      collect() {
        this.reset();
        let any = false;
        for (const [labels, value] of samples(spec.read(current()))) {
          this.set(labels, value);
          any = true;
        }
        // reset() leaves a metric without labels at 0; a value read as damaged has no sample at all.
        if (!any && spec.labelNames === undefined) this.remove();
      },
    });
  }

  counter(spec: MetricSpec): void {
    const current = this.#current;
    new Counter({
      ...this.#config(spec),
      collect() {
        this.reset();
        let any = false;
        for (const [labels, value] of samples(spec.read(current()))) {
          this.inc(labels, value);
          any = true;
        }
        if (!any && spec.labelNames === undefined) this.remove();
      },
    });
  }

  /** A histogram of LATENCY_BUCKETS_MS read from the snapshot, exposed in seconds. */
  histogram(
    spec: Omit<MetricSpec, "read"> & { readonly read: (s: ScoreboardSnapshot) => Iterable<HistogramSample> },
  ): void {
    const current = this.#current;
    new BucketHistogram({
      name: `${this.#prefix}${spec.name}`,
      help: spec.help,
      labelNames: spec.labelNames ?? [],
      boundsMs: LATENCY_BUCKETS_MS,
      registry: this.#registry,
      read: () => spec.read(current()),
    });
  }

  #config(spec: MetricSpec) {
    return {
      name: `${this.#prefix}${spec.name}`,
      help: spec.help,
      labelNames: spec.labelNames ?? [],
      registers: [this.#registry],
    };
  }
}

function samples(read: number | Iterable<Sample>): Iterable<Sample> {
  return typeof read === "number" ? [[{}, read]] : read;
}
