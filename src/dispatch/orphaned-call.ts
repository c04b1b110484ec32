// A call whose drone died under it: run again on another drone when its method is idempotent (once:
// a call that two drones died running is poison, never run a third time), failed otherwise. Either
// way it settles at once, not at its deadline. One that the drone's own stop cut short (a hard
// restart or stop, a drain past its deadline) is the same, but no death of the call's making.
import { ErrorCode } from "../errors.ts";
import type { Call } from "./call.ts";
import type { ServicePool } from "./service-pool.ts";

/**
 * Settles `call`, which its drone's stop cut short (`why`), or runs it again (not when the service or
 * the master stops: `last`, no drone would take it); true when it went back.
 */
export function stoppedCall(
  call: Call,
  pool: ServicePool,
  dronePid: number,
  why: string,
  last: boolean,
): boolean {
  if (call.settled) return false;
  if (!last && runAgain(call, pool)) return true;
  failExited(
    call,
    pool,
    `the drone (pid ${dronePid}) running "${call.request.method}" of service "${pool.name}" was stopped under it (${why})`,
  );
  return false;
}

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
  if (runAgain(call, pool)) return true;
  failExited(
    call,
    pool,
    `the drone (pid ${dronePid}) running "${method}" of service "${name}" exited (${how})`,
  );
  return false;
}

// An idempotent call (not a session's) goes back to the front of the backlog.
function runAgain(call: Call, pool: ServicePool): boolean {
  if (!pool.idempotent.has(call.request.method) || call.opens || call.request.session) return false;
  pool.counters.retries++;
  call.requeued();
  pool.backlog.unshift(call);
  return true;
}

function failExited(call: Call, pool: ServicePool, what: string): void {
  pool.counters.droneExits++;
  pool.counters.failed++;
  call.fail(ErrorCode.DRONE_EXITED, `${what}; the call may or may not have taken effect`);
}
