// Worker and process states, with the one-letter codes operators know from mod_status.

/** What one worker slot is doing. The numeric value is what the scoreboard stores. */
export const WorkerState = {
  /** `.` open slot: no worker, or its child is gone. */
  Dead: 0,
  /** `S` the child is starting and the slot is not yet serving. */
  Starting: 1,
  /** `_` idle, waiting for a connection. */
  Ready: 2,
  /** `R` reading a request. */
  Reading: 3,
  /** `W` running the handler and sending the reply. */
  Writing: 4,
  /** `K` holding a keep-alive connection between requests. */
  Keepalive: 5,
  /** `L` logging. */
  Logging: 6,
  /** `C` closing the connection. */
  Closing: 7,
  /** `G` finishing its request gracefully before the child exits. */
  Graceful: 8,
  /** `I` being retired as surplus idle capacity. */
  IdleKill: 9,
} as const;

export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];

/** The mod_status letter of each WorkerState, indexed by its value. */
export const WORKER_STATE_LETTERS = ".S_RWKLCGI";

/** The key printed under a status grid. */
export const WORKER_STATE_KEY: ReadonlyArray<readonly [letter: string, meaning: string]> = [
  ["_", "waiting for connection"],
  ["S", "starting up"],
  ["R", "reading request"],
  ["W", "sending reply"],
  ["K", "keepalive (read)"],
  ["L", "logging"],
  ["C", "closing connection"],
  ["G", "gracefully finishing"],
  ["I", "idle cleanup of worker"],
  [".", "open slot with no current process"],
];

export function workerStateLetter(state: number): string {
  return WORKER_STATE_LETTERS[state] ?? "?";
}

/** Whether a worker in this state is busy with a connection (as mod_status counts "busy"). */
export function isBusyWorkerState(state: number): boolean {
  return state >= WorkerState.Reading && state <= WorkerState.Graceful;
}

/** The life of one child slot. */
export const ProcessState = {
  /** No child owns the slot. */
  Free: 0,
  /** Forked; the child has not finished its start-up yet. */
  Starting: 1,
  /** Serving. */
  Ready: 2,
  /** Draining: takes no new connection, finishes what it has, then exits. */
  Stopping: 3,
} as const;

export type ProcessState = (typeof ProcessState)[keyof typeof ProcessState];

export const PROCESS_STATE_NAMES = ["free", "starting", "ready", "stopping"] as const;

export function processStateName(state: number): string {
  return PROCESS_STATE_NAMES[state] ?? "unknown";
}
