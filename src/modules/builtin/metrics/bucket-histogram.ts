// A Prometheus histogram whose buckets are already counted: the master keeps each service's latency
// histogram (dispatch/counters.ts) and publishes it on the scoreboard, so a scrape shows those counts
// rather than observing anything itself. prom-client's Histogram counts its own observations only, so
// this one keeps its type, name and registration and answers with the scoreboard's buckets: the
// registry renders what getForPromString() returns (the text form) and get() (the JSON form).
import { Histogram, type Registry } from "prom-client";
import type { HistogramFields } from "../../../scoreboard/index.ts";
import type { Labels } from "./scoreboard-metric.ts";

type MetricWithValues = Awaited<ReturnType<Histogram<string>["get"]>>;

/** One series: its labels and the histogram (bucket counts in ms, not cumulative). */
export type HistogramSample = readonly [labels: Labels, histogram: HistogramFields];

export interface BucketHistogramConfig {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** The buckets' upper bounds in milliseconds; counts past the last go to +Inf. */
  readonly boundsMs: readonly number[];
  readonly registry: Registry;
  readonly read: () => Iterable<HistogramSample>;
}

interface Value {
  readonly metricName: string;
  readonly labels: Labels | Readonly<Record<string, string | number>>;
  readonly value: number;
}

/** Exposed in seconds, as Prometheus names durations: `<name>_bucket{le}`, `_sum`, `_count`. */
export class BucketHistogram extends Histogram<string> {
  readonly #config: BucketHistogramConfig;
  readonly #bounds: readonly number[];

  constructor(config: BucketHistogramConfig) {
    const bounds = config.boundsMs.map((ms) => ms / 1000);
    super({
      name: config.name,
      help: config.help,
      labelNames: config.labelNames,
      buckets: [...bounds],
      registers: [config.registry],
    });
    this.#config = config;
    this.#bounds = bounds;
  }

  /** What the registry renders as text. */
  async getForPromString(): Promise<MetricWithValues> {
    return this.#metric();
  }

  override async get(): Promise<MetricWithValues> {
    return this.#metric();
  }

  #metric(): MetricWithValues {
    const { name, help } = this.#config;
    const values: Value[] = [];
    for (const [labels, histogram] of this.#config.read()) {
      let cumulative = 0;
      this.#bounds.forEach((le, bucket) => {
        cumulative += histogram.counts[bucket] ?? 0;
        values.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
      });
      // The last count is the overflow: +Inf holds them all.
      const total = cumulative + (histogram.counts[this.#bounds.length] ?? 0);
      values.push(
        { metricName: `${name}_bucket`, labels: { ...labels, le: "+Inf" }, value: total },
        { metricName: `${name}_sum`, labels, value: histogram.sumMs / 1000 },
        { metricName: `${name}_count`, labels, value: total },
      );
    }
    // prom-client's declared MetricObject is looser than what its registry reads (type is the string
    // "histogram", there is no collect): hence the cast.
    return { name, help, type: "histogram", aggregator: "sum", values } as unknown as MetricWithValues;
  }
}
