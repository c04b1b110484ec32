// Entry point of every child process the master spawns.
import "./ignore-sigusr1.ts";
import "./keep-tick-shape.ts";
import { createLogger } from "../log/logger.ts";
import { EXIT_CHILD_FATAL } from "../protocol/exit-codes.ts";
import { runChild } from "./child.ts";
import { CHILD_SPEC_ENV, readChildSpec } from "./spec.ts";

const log = createLogger((process.env.DROVER_LOG_LEVEL as "info" | undefined) ?? "info", { role: "child" });
try {
  const spec = readChildSpec(process.env[CHILD_SPEC_ENV]);
  await runChild(spec, log.child({ slot: spec.slot, generation: spec.generation }));
} catch (error) {
  log.fatal({ err: error }, "child failed to start");
  process.exit(EXIT_CHILD_FATAL);
}
