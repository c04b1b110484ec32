// Starts a child's stack watchdog: a worker thread that logs the main thread's JavaScript stack when
// the master asks for it through the scoreboard, as a hung child's diagnosis before it is killed (see
// stack-watchdog-worker.ts and master/children/hung-child.ts). No inspector port is ever opened: the thread
// talks to the main thread's inspector inside the process. It costs nothing per request; it never
// keeps the child alive, and if it fails the child goes on without it.
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { LogLevel } from "../../config/types/values.ts";
import type { Logger } from "../../log/logger.ts";
import type { ChildSpec } from "../spec.ts";

// Beside this file, with its extension: .ts when drover runs from its sources, .js from the build.
const WORKER_ENTRY = new URL(
  `./stack-watchdog-worker${extname(fileURLToPath(import.meta.url))}`,
  import.meta.url,
);

/** What the worker thread posts once its code is loaded. */
export const LOADED = "drover-watchdog-loaded";
// Bounds the wait for a thread that never loads: the child then goes on without it.
const LOAD_TIMEOUT_MS = 10_000;

/** What the worker thread is given. */
export interface StackWatchdogData {
  /** The scoreboard's descriptor (inherited by the process, so the thread can map it too). */
  readonly scoreboardFd: number;
  readonly slot: number;
  readonly level: LogLevel;
  /** The child's log bindings (role, slot, generation), so its lines read as the child's. */
  readonly bindings: Record<string, unknown>;
}

/** Starts the watchdog thread for the child in `spec.slot`, which has claimed its record already. */
export function startStackWatchdog(spec: Pick<ChildSpec, "scoreboardFd" | "slot">, log: Logger): Worker {
  const data: StackWatchdogData = {
    scoreboardFd: spec.scoreboardFd,
    slot: spec.slot,
    level: log.level as LogLevel,
    bindings: log.bindings(),
  };
  const worker = new Worker(WORKER_ENTRY, {
    workerData: data,
    // The thread's name in /proc/<pid>/task/*/comm (15 characters at most).
    name: "drover-watchdog",
    // It holds a few numbers and one stack at a time; a bound keeps a bug from growing the child.
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
  });
  worker.unref();
  worker.on("error", (error) =>
    log.warn({ err: error }, "the stack watchdog thread stopped: a hung child's stack cannot be read"),
  );
  return worker;
}

/**
 * Resolves once the watchdog thread has loaded all its code (or failed, or `timeoutMs` passed): a child
 * that drops privileges waits for it first, as drover's own files may be closed to its new user.
 */
export function watchdogLoaded(worker: Worker, timeoutMs = LOAD_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      worker.off("message", onMessage).off("error", done).off("exit", done);
      resolve();
    };
    const onMessage = (message: unknown) => {
      if (message === LOADED) done();
    };
    const timer = setTimeout(done, timeoutMs);
    worker.on("message", onMessage).once("error", done).once("exit", done);
  });
}
