// A drone's life: claim its scoreboard slot, stamp a heartbeat, initialise (privileges, modules, the
// service and every childInit), say HELLO on the data channel and `ready` over IPC, then run the calls
// the master hands it until the master tells it to quiesce or exit, the master goes away, or its data
// channel ends. Every way out is bounded (unref'd process.exit fallbacks), as a child's is.

import { listenToMaster, tellMaster } from "../child/master-channel.ts";
import { guardAgainstOrphaning } from "../child/orphan-guard.ts";
import { EXIT_GRACE_MS } from "../child/spec.ts";
import { startStackWatchdog } from "../child/stack-watchdog/stack-watchdog.ts";
import { DroverError, ErrorCode } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import { HookRegistry } from "../modules/index.ts";
import { hookLogger } from "../modules/load.ts";
import { EXIT_CHILD_CRASHED, EXIT_CHILD_FATAL, EXIT_OK } from "../protocol/exit-codes.ts";
import type { ChildMessage } from "../protocol/messages.ts";
import { ProcessState, Scoreboard } from "../scoreboard/index.ts";
import type { DroneContext, ServiceDefinition } from "../service/define.ts";
import { guardDroneAgainstCrashes } from "./crash-guard.ts";
import { initialiseDrone } from "./init.ts";
import { Serving } from "./serving.ts";
import type { DroneSpec } from "./spec.ts";
import { WorkerRecords } from "./workers.ts";

// A drone whose master died lets its calls finish for this long, then exits.
const ORPHAN_GRACE_MS = 800;
// How long the running calls have to answer the abort of a stop, before the drone goes on exiting.
const ABORTED_ANSWER_MS = 200;
// The master decides when drones stop: a terminal's Ctrl-C, Ctrl-\ or hang-up, or a signal sent to the
// whole group (systemd's SIGTERM by default), is for it alone.
const MASTER_SIGNALS = ["SIGINT", "SIGHUP", "SIGTERM", "SIGQUIT", "SIGUSR2"] as const;

export async function runDrone(spec: DroneSpec, log: Logger): Promise<void> {
  // Mapped from the descriptor the master passed (see spec.ts), before privileges are dropped.
  const scoreboard = Scoreboard.fromFd(spec.scoreboardFd);
  const record = scoreboard.processWriter(spec.slot);
  record.claim(process.pid, Date.now());
  const workers = new WorkerRecords(scoreboard, spec.slot, spec.concurrency);
  const watchdog = spec.hungChildStack ? startStackWatchdog(spec, log) : undefined;
  for (const signal of MASTER_SIGNALS) process.on(signal, () => {});
  // The first beat at once, so that status shows a young drone's memory too.
  const beat = (): void => {
    const memory = process.memoryUsage();
    record.heartbeat(Date.now(), memory.rss, memory.heapUsed);
  };
  beat();
  const heartbeat = setInterval(beat, spec.heartbeatIntervalMs);

  let life: "initialising" | "serving" | "exiting" = "initialising";
  let serving: Serving | undefined;
  // A quiesce that arrived while the drone initialised: it stops as soon as it is initialised.
  let quiesceAfterInit = false;
  let quiescing = false;
  const stopping = new AbortController();
  const hooks = new HookRegistry({ timeoutMs: spec.hookTimeoutMs });
  const hookInput = {
    generation: spec.generation,
    restart: spec.restart,
    config: undefined,
    log: hookLogger(log),
    slot: spec.slot,
    pid: process.pid,
  };
  const context: DroneContext = Object.freeze({
    service: spec.service,
    slot: spec.slot,
    pid: process.pid,
    generation: spec.generation,
    log: hookInput.log,
  });
  // Sessions' onDisconnect (all at once), then the childExit hooks: a hook's time each, and a grace.
  const exitWithinMs = 2 * spec.hookTimeoutMs + EXIT_GRACE_MS;

  /** Leaves once: stops taking work, ends sessions, runs childExit if childInit ran, then exits `code`. */
  async function exit(
    code: number,
    how: { message?: ChildMessage; crashed?: boolean; withinMs?: number } = {},
  ): Promise<void> {
    // Whatever waits below, the drone is gone within this (a later, shorter one wins); and with
    // nothing left to wait on before then, it ends by itself.
    setTimeout(() => process.exit(), how.withinMs ?? exitWithinMs).unref();
    if (life === "exiting") return;
    const initialised = life === "serving";
    life = "exiting";
    process.exitCode = code;
    stopping.abort();
    clearInterval(heartbeat);
    // A crashed drone's answers cannot be trusted: the master learns at once that none will come.
    if (how.crashed) serving?.destroy();
    serving?.stopTaking();
    serving?.abortAll(new DroverError(ErrorCode.STOPPING, "the drone is exiting"));
    // A method that heeds its signal answers in a moment: its DONE goes out before the channel ends.
    if (!how.crashed) await serving?.drain(ABORTED_ANSWER_MS);
    if (initialised) {
      if (!how.crashed) await serving?.endSessions("drain");
      for (const failure of await hooks.runCollectingFailures("childExit", hookInput)) {
        log.error({ err: failure }, failure.message);
      }
    }
    await serving?.close(EXIT_GRACE_MS);
    workers.close();
    scoreboard.close();
    // If the IPC channel cannot take the message, leave anyway.
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
    if (how.message) tellMaster(how.message, () => process.exit(code));
    else process.exit(code);
  }

  /** Takes no new work, lets running calls finish within `deadlineMs`, then exits 0. */
  async function quiesce(deadlineMs: number): Promise<void> {
    if (life === "initialising" && !quiesceAfterInit) {
      // It stops once initialised; meanwhile its records say it is on its way out.
      quiesceAfterInit = true;
      workers.graceful();
    }
    if (life !== "serving" || quiescing) return;
    quiescing = true;
    setTimeout(() => process.exit(), deadlineMs + exitWithinMs).unref();
    stopping.abort();
    record.setQuiescing();
    record.setState(ProcessState.Stopping);
    workers.graceful();
    serving?.stopTaking();
    await serving?.drain(deadlineMs);
    await exit(EXIT_OK);
  }

  guardDroneAgainstCrashes(log, () => {
    void exit(EXIT_CHILD_CRASHED, { crashed: true, withinMs: spec.hookTimeoutMs + EXIT_GRACE_MS });
  });
  // The master died (its IPC channel or the data channel closed): a call from NATS may still finish
  // within the grace, its result or failure published to its caller; what is left then is aborted, and
  // its NATS caller told so at once.
  let orphaned = false;
  const orphan = () => {
    if (orphaned) return;
    orphaned = true;
    const running = serving?.running ?? 0;
    log.warn(
      { running },
      running > 0
        ? `the master is gone: calls from NATS get ${ORPHAN_GRACE_MS} ms to finish and are answered by the drone; the rest are lost with the master; then the drone exits`
        : "the master is gone: the drone exits",
    );
    serving?.orphan(new DroverError(ErrorCode.STOPPING, "the master is gone"));
    void quiesce(ORPHAN_GRACE_MS);
    setTimeout(() => void exit(EXIT_OK, { withinMs: EXIT_GRACE_MS }), ORPHAN_GRACE_MS).unref();
  };
  guardAgainstOrphaning(orphan);
  listenToMaster({
    quiesce: ({ deadlineMs }) => void quiesce(deadlineMs),
    detach: () => {
      scoreboard.detach();
      tellMaster({ drover: "detached" });
    },
    exit: () => void exit(EXIT_OK),
    // Its records say it is on its way out while it finishes what it holds (it serves that on).
    leaving: () => {
      if (life !== "serving" || quiescing) return;
      record.setQuiescing();
      workers.graceful();
    },
  });

  let service: ServiceDefinition;
  try {
    service = await initialiseDrone(spec, {
      hooks,
      hookInput,
      context,
      stopSignal: stopping.signal,
      watchdog,
    });
  } catch (error) {
    const reason = describeFailure(error);
    log.error({ err: error }, "drone cannot initialise");
    await exit(EXIT_CHILD_FATAL, { message: { drover: "fatal", reason } });
    return;
  }
  if (life !== "initialising") return;
  life = "serving";
  if (quiesceAfterInit) {
    await exit(EXIT_OK);
    return;
  }
  serving = new Serving(spec, service, {
    context,
    workers,
    log,
    // The master closes it only by dying.
    closed: orphan,
    broken: (reason) => {
      log.error({ reason }, `${reason}: exiting to be replaced`);
      void exit(EXIT_CHILD_CRASHED);
    },
  });
  serving.hello();
  workers.ready();
  record.setState(ProcessState.Ready);
  tellMaster({ drover: "ready" });
  log.debug({ methods: Object.keys(service.methods) }, "drone ready");
}

// The whole story for the master's log: the error's stack, and what caused it (a hook's own throw).
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = error.stack ?? error.message;
  const cause = error.cause;
  return cause instanceof Error ? `${own}\ncaused by: ${cause.stack ?? cause.message}` : own;
}
