// A real scoreboard in shared memory holding a listener pool and a dispatch pool, filled through the
// writers the master, children and drones use: for tests of what reads it (snapshot, status, page,
// metrics).
import { Histogram } from "../../src/dispatch/counters.ts";
import { ProcessState, Scoreboard, type ServiceFields, WorkerState } from "../../src/scoreboard/index.ts";
import { testShmName } from "../harness/temp.ts";

/** Two child slots, then three drone slots; two worker slots each; four service records. */
export const SHAPE = { serverLimit: 5, droneBase: 2, workerLimit: 2, serviceLimit: 4 } as const;

/** A scoreboard of SHAPE, closed when `run` ends (once its promise settles, if it returns one). */
export function withServiceBoard<T>(run: (board: Scoreboard) => T): T {
  const board = Scoreboard.create({ name: testShmName("services"), ...SHAPE });
  let result: T;
  try {
    result = run(board);
  } catch (error) {
    board.close();
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => board.close()) as T;
  board.close();
  return result;
}

/** A histogram of `values` (ms), as the master's counters keep it. */
export function histogram(...values: number[]): Histogram {
  const h = new Histogram();
  for (const value of values) h.observe(value);
  return h;
}

/** A service's fields, every number distinct so that a field read from the wrong word shows. */
export function serviceFields(name: string, fields: Partial<ServiceFields> = {}): ServiceFields {
  return {
    name,
    generation: 0,
    drones: 2,
    idleDrones: 1,
    startingDrones: 0,
    backlog: 3,
    backlogHighWater: 7,
    sessionsOpen: 1,
    counters: {
      calls: 40,
      completed: 30,
      failed: 9,
      rejected: 2,
      expired: 3,
      cancelled: 1,
      droneExits: 1,
      retries: 4,
      poison: 1,
      handedOff: 0,
      sessionsOpened: 5,
      dronesStarted: 3,
      dronesFailed: 1,
    },
    queueWait: histogram(0.2, 0.3, 4, 20),
    runTime: histogram(1, 1, 2, 60, 20_000),
    nats: "none",
    ...fields,
  } as ServiceFields;
}

/** A ready child in `slot` whose workers are ready, one having served a request. */
export function readyChild(board: Scoreboard, slot: number, pid: number, now = Date.now()): void {
  board.master.prepareSlot(slot, 0, 2, now);
  const record = board.processWriter(slot);
  record.claim(pid, now);
  record.setState(ProcessState.Ready);
  for (let w = 0; w < 2; w++) board.workerWriter(slot, w).setState(WorkerState.Ready);
  board.workerWriter(slot, 1).requestFinished(100, now);
}

/**
 * A ready drone of service record `service` in `slot`: worker 0 runs `method` since `since` (after
 * three calls), worker 1 is idle (after one).
 */
export function busyDrone(
  board: Scoreboard,
  slot: number,
  service: number,
  pid: number,
  method: string,
  since: number,
  now = Date.now(),
): void {
  board.master.prepareSlot(slot, 0, 2, now, { service });
  const record = board.processWriter(slot);
  record.claim(pid, now);
  record.setState(ProcessState.Ready);
  record.heartbeat(now, 30 * 1024 * 1024, 1);
  const running = board.workerWriter(slot, 0);
  for (let call = 0; call < 3; call++) {
    running.requestStarted(method, now);
    running.requestFinished(0, now);
  }
  running.requestStarted(method, since);
  const idle = board.workerWriter(slot, 1);
  idle.requestStarted("other", now);
  idle.requestFinished(0, now);
}
