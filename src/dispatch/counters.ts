// A service's counters, written by the master alone: what happened to its calls and how long they
// waited and ran. They outlive every drone (a recycled drone takes nothing with it).

/** Upper bounds (ms) of the latency histogram's buckets, as Prometheus histograms have them. */
export const LATENCY_BUCKETS_MS = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
];

export class Histogram {
  /** Counts per bucket (not cumulative), the last one for everything above the highest bound. */
  readonly counts = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  count = 0;
  sumMs = 0;

  observe(ms: number): void {
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS_MS.length && ms > (LATENCY_BUCKETS_MS[bucket] as number)) bucket++;
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.count++;
    this.sumMs += ms;
  }
}

export class ServiceCounters {
  /** Calls received, and those answered with a result or with an error. */
  calls = 0;
  completed = 0;
  failed = 0;
  /** Refused at once: the backlog was full. */
  rejected = 0;
  /** Their deadline passed (while waiting, or while running). */
  expired = 0;
  /** Their caller cancelled them or went away. */
  cancelled = 0;
  /** Failed because the drone running them died. */
  droneExits = 0;
  /** Run again on another drone after theirs died (idempotent methods). */
  retries = 0;
  /** Failed as poison: they killed two drones. */
  poison = 0;
  /** Taken out of the backlog and handed to another host over NATS, which answers them. */
  handedOff = 0;
  sessionsOpened = 0;
  /** Drones forked, and those that exited without being asked to (crashed, killed, could not start). */
  dronesStarted = 0;
  dronesFailed = 0;
  /** Time in the backlog before a drone took the call, and the drone's run time. */
  readonly queueWait = new Histogram();
  readonly runTime = new Histogram();
}
