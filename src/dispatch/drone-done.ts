// A drone's DONE: the answer to a control frame it owed (a session's DISCONNECT), or to a call, which
// settles it. A drone that asked to retire (ctx.retire()) or reached maxRequestsPerDrone is recycled;
// its replacement starts a tenth of its limit ahead, and the drone leaves once it is up.
// Then the drone is free for what comes next (drone-flow.ts).
import type { Logger } from "../log/logger.ts";
import type { Drone } from "./drone.ts";
import type { DroneFlow } from "./drone-flow.ts";
import type { DoneHeader } from "./wire/messages.ts";

/** After how many calls a drone's replacement starts: a tenth of its limit ahead, so that it is ready in time. */
function recycleSoon(maxRequests: number): number {
  return Math.max(1, maxRequests - Math.max(1, Math.floor(maxRequests / 10)));
}

export function droneDone(
  drone: Drone,
  header: DoneHeader,
  body: Buffer,
  flow: DroneFlow,
  log: Logger,
): void {
  const control = drone.pendingControl.get(header.id);
  if (control) {
    drone.pendingControl.delete(header.id);
    control(header);
    return;
  }
  // A session's opening answered after its caller stopped waiting (its deadline, a cancel).
  const unwanted = drone.running.get(header.id)?.settled === true;
  const call = flow.pool.done(drone, header, body);
  if (!call) return;
  if (header.retire && !drone.retiring) {
    const limit = drone.spent;
    // ctx.retire(): it leaves after this call. At its limit it serves on until its replacement is up.
    if (!limit) drone.retiring = true;
    log.info(
      { childPid: drone.pid, served: drone.served },
      limit
        ? `a drone reached maxRequestsPerDrone (${drone.maxRequests}): it is replaced`
        : "a drone asked to retire (ctx.retire()): it is replaced",
    );
  }
  if (drone.retiring || (drone.maxRequests > 0 && drone.served >= recycleSoon(drone.maxRequests))) {
    flow.replace(drone);
  }
  if (call.opens) flow.sessions.opened(call.opens, drone, header.ok, unwanted);
  flow.freed(drone);
}
