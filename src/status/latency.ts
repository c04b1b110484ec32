// Percentiles of a service's latency histogram, estimated from its buckets the way Prometheus's
// histogram_quantile does: the rank's bucket is found, and the value placed linearly within it.
import { type HistogramFields, LATENCY_BUCKETS_MS } from "../scoreboard/index.ts";

export interface Quantile {
  /** The estimate, in milliseconds. */
  readonly ms: number;
  /** It fell in the bucket above the highest bound: the true value is larger than `ms`. */
  readonly above: boolean;
}

/** The `q` quantile (0 to 1) of `histogram`; undefined when it has observed nothing. */
export function latencyQuantile(histogram: HistogramFields, q: number): Quantile | undefined {
  const total = histogram.counts.reduce((sum, count) => sum + count, 0);
  if (total <= 0) return undefined;
  const rank = q * total;
  let below = 0;
  for (let bucket = 0; bucket < histogram.counts.length; bucket++) {
    const count = histogram.counts[bucket] ?? 0;
    if (count > 0 && below + count >= rank) {
      const upper = LATENCY_BUCKETS_MS[bucket];
      // Past the highest bound there is no upper edge: as Prometheus, give the highest bound.
      if (upper === undefined) return { ms: LATENCY_BUCKETS_MS.at(-1) ?? 0, above: true };
      const lower = bucket === 0 ? 0 : (LATENCY_BUCKETS_MS[bucket - 1] ?? 0);
      return { ms: lower + ((upper - lower) * (rank - below)) / count, above: false };
    }
    below += count;
  }
  return undefined;
}

/** A latency as `drover status` prints it: "0.35 ms", "42 ms", "1.5 s", "> 10 s". */
export function formatLatency(quantile: Quantile | undefined): string {
  if (quantile === undefined) return "-";
  const { ms } = quantile;
  const text =
    ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Number(ms.toFixed(ms < 10 ? 2 : 0))} ms`;
  return quantile.above ? `> ${text}` : text;
}
