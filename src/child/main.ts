// Entry point of every process the master spawns: a listener child, or a drone of the dispatch pool
// when its spec says `role: "drone"`. Each loads only its own code.
import "./ignore-sigusr1.ts";
import "./keep-tick-shape.ts";
import { readDroneSpec, specRole } from "../drone/read-spec.ts";
import { createLogger } from "../log/logger.ts";
import { EXIT_CHILD_FATAL } from "../protocol/exit-codes.ts";
import { tellMaster } from "./master-channel.ts";
import { captureOutput } from "./output-capture.ts";
import { CHILD_SPEC_ENV, EXIT_GRACE_MS, readChildSpec } from "./spec.ts";

const text = process.env[CHILD_SPEC_ENV];
// The spec (a drone's holds its NATS credentials) is no business of the app's, nor of what it spawns.
delete process.env[CHILD_SPEC_ENV];
const role = specRole(text);
const log = createLogger((process.env.DROVER_LOG_LEVEL as "info" | undefined) ?? "info", { role });
try {
  if (role === "drone") {
    const spec = readDroneSpec(text);
    const droneLog = log.child({ service: spec.service, slot: spec.slot, generation: spec.generation });
    captureOutput(droneLog);
    const { runDrone } = await import("../drone/drone.ts");
    await runDrone(spec, droneLog);
  } else {
    const spec = readChildSpec(text);
    const childLog = log.child({ slot: spec.slot, generation: spec.generation });
    captureOutput(childLog);
    const { runChild } = await import("./child.ts");
    await runChild(spec, childLog);
  }
} catch (error) {
  log.fatal({ err: error }, `${role} failed to start`);
  // A drone says why over IPC, as it does for any failure before it is ready.
  if (role === "drone") {
    setTimeout(() => process.exit(EXIT_CHILD_FATAL), EXIT_GRACE_MS).unref();
    const reason = error instanceof Error ? error.message : String(error);
    tellMaster({ drover: "fatal", reason }, () => process.exit(EXIT_CHILD_FATAL));
  } else process.exit(EXIT_CHILD_FATAL);
}
