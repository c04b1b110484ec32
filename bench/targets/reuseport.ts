// Bare processes, each with its own listening socket on the same port (reusePort, Node >= 22.12): the
// kernel hashes new connections across them and no primary is in the path.
import { startNodeCommand } from "./command.ts";
import type { Target } from "./target.ts";

export const reusePort: Target = {
  id: "reuseport",
  label: "reusePort processes",
  description: "independent `node` processes listening with `reusePort: true`, one per core",
  start: (spec) =>
    startNodeCommand(spec, new URL("../launchers/reuseport.ts", import.meta.url), [], spec.workers),
};
