// A drone's end. A broken data channel means it cannot be trusted: it is killed, unless it is on its
// way out already (then its exit says why, or it has a moment to exit by itself). Its process's exit
// settles at once all it held: each running call (run again elsewhere or failed: orphaned-call.ts),
// each control answer it owed, its session; and tells its service whether it was expected (the stop,
// leaving, a kill on purpose) or a failure, which counts towards the crash-loop backoff.
import type { Logger } from "../log/logger.ts";
import type { ChildExit } from "../master/children/child-handle.ts";
import type { GenerationStart } from "../master/generations/generation-start.ts";
import { plural } from "../status/figures.ts";
import { CHANNEL_CLOSED, type Drone } from "./drone.ts";
import { orphanedCall } from "./orphaned-call.ts";
import type { ServicePool } from "./service-pool.ts";
import type { SessionLife } from "./session-life.ts";

// How long a leaving drone that closed its data channel has to exit before it is killed.
const LEFT_CHANNEL_GRACE_MS = 2_000;
// How long a serving drone that closed its data channel has to exit before it is killed (its calls
// settle at its exit, so this bounds how late their callers hear).
const CLOSED_CHANNEL_GRACE_MS = 500;

/** Its data channel broke, or carried something malformed. */
export function brokenChannel(drone: Drone, reason: string, log: Logger): void {
  // A drone on its way out, or failing its start (its exit says why), closes its channel as it exits.
  if (drone.child.phase === "exited" || drone.child.phase === "killing") return;
  if (drone.state === "starting" && reason === CHANNEL_CLOSED) return;
  if (drone.state === "leaving" && reason === CHANNEL_CLOSED) {
    // Its last step on the way out: it exits by itself in a moment (its records closed, a profile
    // written); killed only if it does not.
    drone.child.after(LEFT_CHANNEL_GRACE_MS, () => {
      if (drone.child.phase !== "exited") drone.child.kill("hung");
    });
    return;
  }
  if (reason === CHANNEL_CLOSED) {
    // It is exiting on its own (process.exit() in a method, a crash): its exit, logged and counted as
    // a failure, says how, and settles its calls. Killed only if it does not exit.
    drone.child.after(CLOSED_CHANNEL_GRACE_MS, () => {
      if (drone.child.phase === "exited" || drone.child.phase === "killing") return;
      log.error({ childPid: drone.pid }, "a drone closed its data channel but did not exit: killing it");
      drone.child.kill("hung");
    });
    return;
  }
  log.error({ childPid: drone.pid, reason }, `a drone's data channel broke (${reason}): killing it`);
  drone.child.kill("hung");
}

export interface ExitParts {
  readonly pool: ServicePool;
  readonly sessions: SessionLife;
  readonly log: Logger;
  /** Its generation's start, while that waits for its drones. */
  readonly start: GenerationStart | undefined;
}

export interface ExitOutcome {
  /** One of its calls went back to the backlog, for another drone. */
  readonly retried: boolean;
}

/** The stop, its leaving, or a kill on purpose: no failure (none for the crash-loop backoff either). */
export function expectedExit(drone: Drone, exit: ChildExit, stopping: boolean): boolean {
  return stopping || drone.state === "leaving" || exit.child.plan !== undefined;
}

/**
 * For the counters, as the children's: it exited without being asked to (crashed, could not start),
 * or was killed as hung or not ready in time.
 */
export function failedExit(drone: Drone, exit: ChildExit, stopping: boolean): boolean {
  const plan = exit.child.plan;
  if (plan === "hung" || plan === "start-timeout") return true;
  return !expectedExit(drone, exit, stopping);
}

/** Its process exited (`stopping`: the master stops): what it held is settled, its exit logged. */
export function droneExited(drone: Drone, exit: ChildExit, stopping: boolean, parts: ExitParts): ExitOutcome {
  const { pool, log } = parts;
  pool.changed();
  pool.idle.remove(drone);
  drone.close();
  const expected = expectedExit(drone, exit, stopping);
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
  const held = drone.running.size;
  let retried = false;
  for (const call of drone.running.values()) retried = orphanedCall(call, pool, drone.pid, how) || retried;
  drone.running.clear();
  for (const control of drone.pendingControl.values()) {
    control({ id: 0, ok: false, error: { name: "DroverError", message: "the drone exited" } });
  }
  drone.pendingControl.clear();
  if (drone.session) parts.sessions.lost(drone.session);
  const fields = {
    childPid: drone.pid,
    generation: drone.generation,
    code: exit.code,
    signal: exit.signal,
  };
  if (drone.state === "starting" || !exit.child.wasReady) {
    const reason = exit.child.fatalReason ?? how;
    const name = pool.name;
    if (parts.start) parts.start.fail(`a drone of service "${name}" could not start: ${reason}`);
    else log.error({ ...fields, reason }, `a drone of service "${name}" could not start`);
  } else if (!expected) {
    log.error(
      { ...fields, calls: held },
      `a drone of service "${pool.name}" exited unexpectedly (${how}) while running ${plural(held, "call", "calls")}`,
    );
  } else log.debug(fields, "drone exited");
  return { retried };
}
