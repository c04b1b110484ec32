// The metrics module's options, read and checked once, where the config names the module: a bad one
// stops `drover start` (or a reload) with the module and field named, before any child runs.
import { type AccessRule, readAccessRule } from "../access.ts";
import { ModuleOptions } from "../options.ts";

export interface MetricsOptions {
  /** The exact URL path served (default "/metrics"). */
  readonly path: string;
  /** Who may scrape: the `allow` and `token` options. */
  readonly access: AccessRule;
  /** Put before every metric name (default "drover_"). */
  readonly prefix: string;
  /** Also expose prom-client's default metrics of the child that answers the scrape. */
  readonly defaultMetrics: boolean;
}

const KNOWN = ["path", "allow", "token", "prefix", "defaultMetrics"];

// A metric name is [a-zA-Z_:][a-zA-Z0-9_:]*; colons are kept for recording rules, so a prefix is
// letters, digits and "_", not starting with a digit (or empty).
const PREFIX = /^(?:[A-Za-z_][A-Za-z0-9_]*)?$/;

export function readMetricsOptions(raw: Readonly<Record<string, unknown>>): MetricsOptions {
  const options = new ModuleOptions("metrics", raw, KNOWN);
  return {
    path: options.path("path", "/metrics"),
    access: readAccessRule(options),
    prefix: options.string("prefix", "drover_", (value) =>
      PREFIX.test(value)
        ? undefined
        : `must be letters, digits and "_", not starting with a digit (a Prometheus metric name prefix), got ${JSON.stringify(value)}.`,
    ),
    defaultMetrics: options.boolean("defaultMetrics", false),
  };
}
