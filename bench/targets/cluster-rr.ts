// node:cluster with round-robin scheduling (the default on Linux): the primary accepts every connection
// and passes it to a worker over IPC.
import { startNodeCommand } from "./command.ts";
import type { Target } from "./target.ts";

export const clusterRoundRobin: Target = {
  id: "cluster-rr",
  label: "node:cluster (round-robin)",
  description: "`node:cluster` primary with `SCHED_RR`, one worker per core",
  start: (spec) =>
    startNodeCommand(spec, new URL("../launchers/cluster.ts", import.meta.url), ["rr"], spec.workers),
};
