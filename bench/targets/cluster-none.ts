// node:cluster with scheduling "none": the workers share the primary's listening socket and the kernel
// decides which one accepts.
import { startNodeCommand } from "./command.ts";
import type { Target } from "./target.ts";

export const clusterNone: Target = {
  id: "cluster-none",
  label: "node:cluster (none)",
  description: "`node:cluster` primary with `SCHED_NONE` (shared listening socket), one worker per core",
  start: (spec) =>
    startNodeCommand(spec, new URL("../launchers/cluster.ts", import.meta.url), ["none"], spec.workers),
};
