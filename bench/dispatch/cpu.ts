// CPU time spent per call by a target's processes (the whole process group: master and drones, the
// peer server and its workers) and by the client, over one run. On a shared machine latency and
// throughput follow the neighbours; the CPU a call costs barely does (see bench/process/cpu-time.ts).
import { groupMembers } from "../../src/util/process-alive.ts";
import { type CpuTime, cpuBetween, cpuTime } from "../process/cpu-time.ts";

export interface CpuPerCall {
  /** Microseconds on a core per call: every process of the target's group together. */
  readonly serverUs: number;
  readonly clientUs: number;
}

function read(pids: Iterable<number>): Map<number, CpuTime> {
  const times = new Map<number, CpuTime>();
  for (const pid of pids) {
    try {
      times.set(pid, cpuTime(pid));
    } catch {
      // gone meanwhile: a fixed pool loses no member during a run; such a process is left out
    }
  }
  return times;
}

/** Runs `run` between two readings: what it cost per call (it returns how many calls it made in all). */
export async function withCpu<T extends { readonly total: number }>(
  pgid: number,
  run: () => Promise<T>,
): Promise<T & { readonly cpu: CpuPerCall }> {
  const serverBefore = read(groupMembers(pgid));
  const clientBefore = cpuTime(process.pid);
  const result = await run();
  const clientAfter = cpuTime(process.pid);
  const serverAfter = read(serverBefore.keys());
  let serverNs = 0;
  for (const [pid, end] of serverAfter) {
    serverNs += cpuBetween(serverBefore.get(pid) as CpuTime, end).running;
  }
  const clientNs = cpuBetween(clientBefore, clientAfter).running;
  const cpu = { serverUs: serverNs / 1000 / result.total, clientUs: clientNs / 1000 / result.total };
  return { ...result, cpu };
}
