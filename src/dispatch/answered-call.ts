// A drone's answer to a call it ran (its DONE), settled for the caller: the result; the method's error
// in drover's words (remote-failure.ts); or word that the drone's stop cut the call short, which may
// run it again (orphaned-call.ts). The drone keeps the deadline by its own clock and the master by its
// timer: where they disagree by a hair the caller hears the master's words, and never a result it had
// stopped waiting for.
import { ErrorCode } from "../errors.ts";
import type { Call } from "./call.ts";
import { stoppedCall } from "./orphaned-call.ts";
import { remoteFailure } from "./remote-failure.ts";
import type { ServicePool } from "./service-pool.ts";
import type { DoneHeader } from "./wire/messages.ts";

// A drone's DISPATCH_TIMEOUT this close to the call's deadline is its own timer's, not one the
// method met in a call of its own (and threw on).
const DEADLINE_SLACK_MS = 50;

/** Settles `call` as its drone (`dronePid`) answered; true when it went back to the backlog instead. */
export function answeredCall(
  call: Call,
  pool: ServicePool,
  header: DoneHeader,
  body: Buffer,
  dronePid: number,
): boolean {
  const { counters } = pool;
  const failure = header.ok
    ? undefined
    : remoteFailure(header.error, call.request.method, call.opens !== undefined);
  if (pastDeadline(call, header, failure?.code)) {
    // As the deadline timer would have: a loaded master read the answer before the timer ran.
    const words = header.ok ? answeredLate(pool.name, call) : ranPast(pool.name, call);
    if (call.fail(ErrorCode.DISPATCH_TIMEOUT, words)) {
      counters.expired++;
      counters.failed++;
    }
    return false;
  }
  if (header.ok) {
    const answered = header.replied ? call.delivered() : call.ok(body, call.opens?.id);
    if (answered) counters.completed++;
    return false;
  }
  if (header.stopped) {
    const last = pool.refusing !== undefined || pool.hooks?.stopping() === true;
    return stoppedCall(call, pool, dronePid, header.error.message, last);
  }
  if (failure && call.fail(failure.code, failure.message, failure.details)) counters.failed++;
  return false;
}

// Whether the caller hears its deadline rather than the answer: one read at or past the deadline, or
// the drone's own timer's timeout a hair before it. A result the drone published to the caller itself,
// and a session it opened, cannot be taken back: they stand.
function pastDeadline(call: Call, header: DoneHeader, code: ErrorCode | undefined): boolean {
  if (header.ok && (header.replied || call.opens)) return false;
  const slack = code === ErrorCode.DISPATCH_TIMEOUT ? DEADLINE_SLACK_MS : 0;
  return Date.now() >= call.deadline - slack;
}

/** What the caller of a call that ran past its deadline hears. */
export function ranPast(service: string, call: Call): string {
  return `service "${service}": "${call.request.method}" ran past its deadline (${call.budgetText}); its ctx.signal was aborted`;
}

function answeredLate(service: string, call: Call): string {
  return `service "${service}": "${call.request.method}" answered after its deadline (${call.budgetText}); its caller had stopped waiting`;
}
