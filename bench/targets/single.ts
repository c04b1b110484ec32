// One Node process, no supervisor: the floor every pool has to beat on more than one core.
import { startNodeCommand } from "./command.ts";
import type { Target } from "./target.ts";

export const single: Target = {
  id: "single",
  label: "single process",
  description: "one `node` process running the app; no pool",
  start: (spec) => startNodeCommand(spec, new URL("../apps/server.ts", import.meta.url), [], 1),
};
