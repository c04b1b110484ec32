// A child's life: claim its scoreboard slot, drop privileges, load the app and run its childInit,
// accept on the inherited listeners while it has worker slots to give, stamp a heartbeat, and leave
// gracefully: when told by the pipe of death, when it crashed, or when the master is gone. A
// recycling limit (connections, requests, memory, age) makes it ask the master to retire it.
import { ErrorCode } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import { HookRegistry } from "../modules/index.ts";
import { hookLogger } from "../modules/load.ts";
import { ModuleRequestHandlers } from "../modules/requests.ts";
import { ChildResources } from "../modules/resources/child-resources.ts";
import { EXIT_CHILD_CRASHED, EXIT_CHILD_FATAL, EXIT_CHILD_SICK, EXIT_OK } from "../protocol/exit-codes.ts";
import type { ChildMessage } from "../protocol/messages.ts";
import { ProcessState, Scoreboard } from "../scoreboard/index.ts";
import { moduleTypeProblem } from "../util/module-type.ts";
import { AcceptBalance } from "./accept/accept-balance.ts";
import { AcceptGate } from "./accept/accept-gate.ts";
import { ChildListeners } from "./accept/listeners.ts";
import { WorkerSlots } from "./accept/worker-slots.ts";
import { unreadableFiles } from "./access-check.ts";
import { guardAgainstCrashes } from "./crash-guard.ts";
import { Drain } from "./drain.ts";
import { initialise } from "./init.ts";
import type { LoadedApp } from "./load-app.ts";
import { listenToMaster, tellMaster } from "./master-channel.ts";
import { guardAgainstOrphaning } from "./orphan-guard.ts";
import { Retirement } from "./retirement.ts";
import { type ChildSpec, EXIT_GRACE_MS, FIRST_LISTENER_FD } from "./spec.ts";
import { startStackWatchdog } from "./stack-watchdog/stack-watchdog.ts";

// A child whose master died finishes what it can in this long, then exits.
const ORPHAN_GRACE_MS = 800;
// errno codes that mean "short of a resource": the master then slows spawning down to one at a time.
const SICK_CODES = new Set(["EMFILE", "ENFILE", "ENOMEM", "EAGAIN", "ENOSPC"]);

export interface RunChildOptions {
  /** The listening descriptors. Default: inherited from the master, from FIRST_LISTENER_FD on. */
  readonly fds?: readonly number[];
  /**
   * No master (`drover start --single`): SIGINT and SIGTERM drain and exit, and nothing is sent over
   * IPC. Resolves once the child has drained.
   */
  readonly standalone?: boolean;
}

export async function runChild(spec: ChildSpec, log: Logger, options: RunChildOptions = {}): Promise<void> {
  // Mapped from the descriptor the master passed (see spec.ts), before privileges are dropped.
  const scoreboard = Scoreboard.fromFd(spec.scoreboardFd);
  const record = scoreboard.processWriter(spec.slot);
  record.claim(process.pid, Date.now());
  const watchdog = spec.hungChildStack ? startStackWatchdog(spec, log) : undefined;
  const standalone = options.standalone ?? false;
  if (!standalone) {
    // The master decides when children stop: a terminal's Ctrl-C, Ctrl-\ or hang-up, or a signal sent
    // to the whole group (systemd's SIGTERM by default), is for it alone.
    for (const signal of ["SIGINT", "SIGHUP", "SIGTERM", "SIGQUIT", "SIGUSR2"] as const)
      process.on(signal, () => {});
  }

  // Its childInit hooks ran (so childExit runs too); then it leaves, once.
  let life: "initialising" | "serving" | "exiting" = "initialising";
  let exitCode = EXIT_OK;
  let listeners: ChildListeners | undefined;
  const hooks = new HookRegistry({ timeoutMs: spec.hookTimeoutMs });
  const exitInput = {
    generation: spec.generation,
    restart: spec.restart,
    config: undefined,
    log: hookLogger(log),
    slot: spec.slot,
    pid: process.pid,
  };
  const resources = new ChildResources(spec.resources, spec.resourceFds);
  const requestHandlers = new ModuleRequestHandlers(exitInput.log);

  const cannotAccept = (error: unknown) => {
    const sick = SICK_CODES.has((error as NodeJS.ErrnoException).code ?? "");
    log.error({ err: error }, "the child cannot accept connections any more: exiting to be replaced");
    void exit(sick ? EXIT_CHILD_SICK : EXIT_CHILD_CRASHED);
  };
  const gate = new AcceptGate(cannotAccept);
  const retirement = new Retirement(spec.limits, (reason) => {
    log.info({ reason }, `reached a recycling limit (${reason}): asking the master to retire this child`);
    if (standalone) drain.start(spec.drainTimeoutMs);
    else tellMaster({ drover: "retire", reason });
  });
  const slots = new WorkerSlots(scoreboard, spec.slot, spec.workersPerChild, spec.extendedStatus, {
    connected: () => {
      record.countConnection();
      record.setOpenConnections(slots.busy);
      retirement.connection();
      balance.check();
    },
    released: () => {
      record.setOpenConnections(slots.busy);
      if (balance.paused) balance.check();
    },
    served: () => retirement.request(),
    evicted: () => record.countEviction(),
    saturated: () => gate.block("saturated"),
    available: () => gate.unblock("saturated"),
    empty: () => {
      if (drain.started) void exit(exitCode);
    },
  });
  const balance = new AcceptBalance({
    open: () => slots.busy,
    // A peer whose heartbeat is older than two of its beats is not accepting: it does not count.
    fewestOfPeers: () =>
      scoreboard.fewestOpenConnections(spec.generation, spec.slot, Date.now(), 2 * spec.heartbeatIntervalMs),
    waiting: () => listeners?.waiting() ?? 0,
    pause: () => gate.block("ahead"),
    resume: () => gate.unblock("ahead"),
    tookOver: (waiting, stalledMs) =>
      log.warn(
        { waiting, stalledMs },
        `no peer took a connection for ${stalledMs} ms while ${waiting} waited: this child takes them ` +
          "(a peer's event loop may be blocked, or the machine short of CPU)",
      ),
  });
  const drain = new Drain({
    slots,
    stopAccepting: () => {
      balance.stop();
      listeners?.close();
    },
    began: () => {
      record.setQuiescing();
      record.setState(ProcessState.Stopping);
    },
    overdue: (left) =>
      log.warn({ connections: left }, "the drain's deadline passed: closing the connections left"),
  });

  const beat = (): number => {
    const memory = process.memoryUsage();
    record.heartbeat(Date.now(), memory.rss, memory.heapUsed);
    return memory.rss;
  };
  beat(); // at once, so that status shows a young child's memory too
  const heartbeat = setInterval(() => retirement.memory(beat()), spec.heartbeatIntervalMs);

  async function exit(
    code: number,
    message?: ChildMessage,
    withinMs = spec.hookTimeoutMs + EXIT_GRACE_MS,
  ): Promise<void> {
    // Whatever waits below (a childExit hook, a full channel), the child is gone within `withinMs`
    // (a later, shorter one wins); and with nothing left to wait on before then, it ends by itself.
    setTimeout(() => process.exit(), withinMs).unref();
    if (life === "exiting") return;
    const served = life === "serving";
    life = "exiting";
    process.exitCode = code;
    clearInterval(heartbeat);
    retirement.stop();
    if (served) {
      for (const failure of await hooks.runCollectingFailures("childExit", exitInput)) {
        log.error({ err: failure }, failure.message);
      }
    }
    scoreboard.close();
    // If the channel cannot take the message, leave anyway.
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
    if (message) tellMaster(message, () => process.exit(code));
    else process.exit(code);
  }

  guardAgainstCrashes(log, () => {
    exitCode = EXIT_CHILD_CRASHED;
    if (!standalone) tellMaster({ drover: "retire", reason: "crash" });
    if (life === "initialising") void exit(EXIT_CHILD_CRASHED);
    else drain.start(spec.drainTimeoutMs);
  });
  if (standalone) {
    for (const signal of ["SIGINT", "SIGTERM"] as const)
      process.on(signal, () => drain.start(spec.drainTimeoutMs));
  } else {
    guardAgainstOrphaning(() => {
      log.warn("the master is gone: finishing in-flight requests, then exiting");
      drain.start(ORPHAN_GRACE_MS);
      setTimeout(() => void exit(EXIT_OK, undefined, EXIT_GRACE_MS), ORPHAN_GRACE_MS).unref();
    });
    listenToMaster({
      quiesce: ({ deadlineMs }) => drain.start(deadlineMs),
      leaving: () => {},
      detach: () => {
        scoreboard.detach();
        tellMaster({ drover: "detached" });
      },
      exit: () => void exit(EXIT_OK),
    });
  }

  let app: LoadedApp;
  try {
    app = await initialise(spec, {
      log,
      record,
      slots,
      hooks,
      exitInput,
      drainSignal: drain.signal,
      resources,
      requestHandlers,
      watchdog,
    });
    life = "serving";
  } catch (error) {
    const code = SICK_CODES.has((error as NodeJS.ErrnoException).code ?? "")
      ? EXIT_CHILD_SICK
      : EXIT_CHILD_FATAL;
    const blocked = unreadableFiles(spec, error);
    // ES module code read as CommonJS, or the other way round: which file, why, and the fix.
    const moduleType = moduleTypeProblem(spec.app, error);
    const reason =
      blocked ??
      (moduleType !== undefined
        ? `the app ${spec.app} could not be loaded: ${moduleType} [${ErrorCode.MODULE_TYPE}]`
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error));
    log.error(
      blocked ? { reason } : { err: error },
      code === EXIT_CHILD_SICK
        ? "child is short of a resource"
        : blocked
          ? blocked
          : "child cannot initialise",
    );
    await exit(code, { drover: "fatal", reason });
    return;
  }
  if (drain.started) return;

  const fds = options.fds ?? spec.listeners.map((_, index) => FIRST_LISTENER_FD + index);
  listeners = new ChildListeners(fds, app.server, (socket) => slots.connected(socket), cannotAccept);
  gate.attach(listeners);
  slots.ready();
  try {
    await listeners.resume();
  } catch (error) {
    cannotAccept(error);
    return;
  }
  record.setState(ProcessState.Ready);
  if (!standalone) tellMaster({ drover: "ready" });
  log.debug({ listen: spec.listeners }, "child ready");
}
