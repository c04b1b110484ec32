// A call whose drone died under it: run again on another drone when its method is idempotent (once:
// a call that two drones died running is poison, never run a third time), failed otherwise. Either
// way it settles at once, not at its deadline.
import { ErrorCode } from "../errors.ts";
import type { Call } from "./call.ts";
import type { ServicePool } from "./service-pool.ts";

/** Settles (or requeues) `call`; true when it went back to the backlog for another drone. */
export function orphanedCall(call: Call, pool: ServicePool, dronePid: number, how: string): boolean {
  if (call.settled) return false;
  call.deaths++;
  const { method } = call.request;
  const { counters, name } = pool;
  if (call.deaths >= 2) {
    counters.poison++;
    counters.failed++;
    call.fail(
      ErrorCode.POISON_MESSAGE,
      `"${method}" of service "${name}" was running on two drones that both died (the last: ${how}): it is not run again; look for what in its params crashes the service`,
    );
    return false;
  }
  if (pool.idempotent.has(method) && !call.opens && !call.request.session) {
    counters.retries++;
    call.requeued();
    pool.backlog.unshift(call);
    return true;
  }
  counters.droneExits++;
  counters.failed++;
  call.fail(
    ErrorCode.DRONE_EXITED,
    `the drone (pid ${dronePid}) running "${method}" of service "${name}" exited (${how}); the call may or may not have taken effect`,
  );
  return false;
}
