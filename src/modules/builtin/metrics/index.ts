// The `metrics` built-in module: Prometheus text exposition of the pool (and of the dispatch pool's
// services), served by every child at `path`. The numbers come from the scoreboard in shared memory (one snapshot per scrape), so any
// child answers for the whole pool without asking the others anything.
//
//   modules: [{ use: "metrics", path: "/metrics", allow: ["10.0.0.0/8"], prefix: "drover_" }]
import { collectDefaultMetrics, Registry } from "prom-client";
import type { ScoreboardSnapshot } from "../../../scoreboard/index.ts";
import { defineModule } from "../../define.ts";
import type { ModuleFactory } from "../../load.ts";
import { metricsHandler } from "./handler.ts";
import { readMetricsOptions } from "./options.ts";
import { definePoolMetrics } from "./pool-metrics.ts";
import { defineServiceMetrics } from "./service-metrics.ts";

const factory: ModuleFactory = (raw) => {
  // Checked here, where the master loads the config, so a bad option stops start or reload.
  const options = readMetricsOptions(raw);
  return defineModule({
    name: "metrics",
    hooks: {
      childInit: (context) => {
        // A registry of our own: the global one belongs to the app, which may expose its own metrics.
        const registry = new Registry();
        let snapshot: ScoreboardSnapshot | undefined;
        const current = () => {
          if (snapshot === undefined) throw new Error("metrics collected outside a scrape");
          return snapshot;
        };
        definePoolMetrics(registry, options.prefix, current);
        defineServiceMetrics(registry, options.prefix, current);
        if (options.defaultMetrics) {
          // These describe the one child that answers the scrape, not the pool: the prefix and the pid
          // label say so, and the series change as scrapes land on different children.
          collectDefaultMetrics({
            register: registry,
            prefix: `${options.prefix}serving_child_`,
            labels: { pid: String(process.pid) },
          });
        }
        context.requests.use(
          metricsHandler({
            path: options.path,
            access: options.access,
            registry,
            takeSnapshot: () => {
              snapshot = context.scoreboard.snapshot();
            },
            log: context.log,
          }),
        );
      },
    },
  });
};

export default factory;
