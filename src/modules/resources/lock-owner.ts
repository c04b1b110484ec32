// Who owns a ticket of a global lock: a process, named by its pid and its start time, so that a
// pid the system has given to another process since is not mistaken for the owner. Both fit in one
// 64-bit word, written and read at once.
import { isSameProcessRunning, processStat } from "../../util/process-alive.ts";

// Start time in clock ticks since boot: 42 bits last 1,300 years at 100 Hz; a pid fits in the other 22.
const START_BITS = 42n;
const START_MASK = (1n << START_BITS) - 1n;

export function ownerId(pid: number, startTime: number): bigint {
  return (BigInt(pid) << START_BITS) | (BigInt(startTime) & START_MASK);
}

/** This process (each worker thread's lock objects are told apart by their tickets, not by this). */
export const SELF = ownerId(process.pid, processStat("self")?.startTime ?? 0);

export const ownerPid = (owner: bigint): number => Number(owner >> START_BITS);

/** Whether the owner still runs: the same pid, started at the same time, and not a zombie. */
export function ownerRuns(owner: bigint): boolean {
  return owner === SELF || isSameProcessRunning(ownerPid(owner), Number(owner & START_MASK));
}
