// A child's life: claim its scoreboard slot, drop privileges, load the app and run its childInit,
// accept on the inherited listeners while it has idle worker slots, stamp a heartbeat, and leave
// gracefully: when recycled, when told by the pipe of death, or when the master is gone.
import type { Logger } from "../log/logger.ts";
import { HookRegistry } from "../modules/index.ts";
import { hookLogger, loadModules } from "../modules/load.ts";
import { ModuleRequestHandlers } from "../modules/requests.ts";
import { ChildResources } from "../modules/resources/child-resources.ts";
import { EXIT_CHILD_FATAL, EXIT_CHILD_SICK, EXIT_OK } from "../protocol/exit-codes.ts";
import { type ChildMessage, isMasterMessage } from "../protocol/messages.ts";
import { ProcessState, Scoreboard } from "../scoreboard/index.ts";
import { tooFarAhead } from "./accept-balance.ts";
import { AcceptGate } from "./accept-gate.ts";
import { ChildListeners } from "./listeners.ts";
import { appModule, type LoadedApp, loadApp } from "./load-app.ts";
import { guardAgainstOrphaning } from "./orphan-guard.ts";
import { dropPrivileges } from "./privileges.ts";
import { slowLanes } from "./slow-lane.ts";
import { type ChildSpec, FIRST_LISTENER_FD } from "./spec.ts";
import { startStackWatchdog } from "./stack-watchdog.ts";
import { WorkerSlots } from "./worker-slots.ts";

// A child whose master died finishes what it can in this long, then exits.
const ORPHAN_GRACE_MS = 800;
// While draining, a connection silent for this long is closed rather than left to the keep-alive timeout.
const DRAIN_IDLE_GRACE_MS = 1_000;
// While a child holds too many connections next to its peers, it looks again this often.
const BALANCE_CHECK_MS = 10;
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
  const scoreboard = Scoreboard.open(spec.scoreboard);
  const record = scoreboard.processWriter(spec.slot);
  record.claim(process.pid, Date.now());
  if (spec.hungChildStack) startStackWatchdog(spec, log);
  const context = { slot: spec.slot, pid: process.pid, generation: spec.generation };
  const standalone = options.standalone ?? false;
  if (!standalone) {
    // The master decides when children stop; a terminal's Ctrl-C or hang-up goes to it alone.
    process.on("SIGINT", () => {});
    process.on("SIGHUP", () => {});
  }

  let draining = false;
  let exiting = false;
  let initialised = false;
  let connections = 0;
  let listeners: ChildListeners | undefined;
  const gate = new AcceptGate();
  let balanceTimer: NodeJS.Timeout | undefined;
  const hooks = new HookRegistry();
  const exitInput = {
    generation: spec.generation,
    restart: spec.restart,
    config: undefined,
    log: hookLogger(log),
    slot: spec.slot,
    pid: process.pid,
  };
  const resources = new ChildResources(spec.resources);
  const requestHandlers = new ModuleRequestHandlers(exitInput.log);
  // Read through a mapping of its own, which outlives the writers' (see Scoreboard.detach).
  let reader: Scoreboard | undefined;
  const initInput = {
    ...exitInput,
    scoreboard: {
      snapshot: () => {
        reader ??= Scoreboard.open(spec.scoreboard);
        return reader.snapshot();
      },
    },
    forModule: (module: string) => ({
      ...resources.forModule(module),
      requests: requestHandlers.forModule(module),
    }),
  };

  const slots = new WorkerSlots(scoreboard, spec.slot, spec.workersPerChild, spec.extendedStatus, {
    connected: () => {
      record.countConnection();
      if (spec.maxConnections > 0 && ++connections >= spec.maxConnections) {
        log.info({ connections }, "served maxConnectionsPerChild connections: retiring");
        drain();
      }
      balance();
    },
    // Giving a connection up never puts a child ahead: only a paused one has anything to check.
    released: () => (gate.isBlocked("ahead") ? balance() : record.setOpenConnections(slots.busy)),
    saturated: () => gate.block("saturated"),
    available: () => gate.unblock("saturated"),
    empty: () => {
      if (draining) void exit(EXIT_OK);
    },
  });

  const heartbeat = setInterval(() => {
    const memory = process.memoryUsage();
    record.heartbeat(Date.now(), memory.rss, memory.heapUsed);
  }, spec.heartbeatIntervalMs);

  async function exit(code: number, message?: ChildMessage): Promise<void> {
    if (exiting) return;
    exiting = true;
    clearInterval(heartbeat);
    if (initialised) {
      for (const failure of await hooks.runCollectingFailures("childExit", exitInput)) {
        log.error({ err: failure }, failure.message);
      }
    }
    scoreboard.close();
    if (message && process.connected) process.send?.(message, () => process.exit(code));
    else process.exit(code);
    // If the channel cannot take the message, leave anyway.
    setTimeout(() => process.exit(code), 1_000).unref();
  }

  // Records the connections held, and stops accepting while far ahead of the least loaded peer.
  function balance(): void {
    record.setOpenConnections(slots.busy);
    if (draining) return;
    const paused = gate.isBlocked("ahead");
    const ahead = tooFarAhead(
      slots.busy,
      scoreboard.fewestOpenConnections(spec.generation, spec.slot),
      paused,
    );
    if (ahead && !paused) {
      gate.block("ahead");
      balanceTimer = setInterval(balance, BALANCE_CHECK_MS);
    } else if (!ahead && paused) {
      clearInterval(balanceTimer);
      gate.unblock("ahead");
    }
  }

  function drain(): void {
    if (draining) return;
    draining = true;
    clearInterval(balanceTimer);
    record.setQuiescing();
    record.setState(ProcessState.Stopping);
    listeners?.close();
    slots.drain();
    setInterval(() => slots.closeIdle(DRAIN_IDLE_GRACE_MS), DRAIN_IDLE_GRACE_MS / 4).unref();
  }

  if (standalone) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => drain());
  } else {
    guardAgainstOrphaning(() => {
      log.warn("the master is gone: finishing in-flight requests, then exiting");
      drain();
      setTimeout(() => void exit(EXIT_OK), ORPHAN_GRACE_MS).unref();
    });
    process.on("SIGTERM", () => void exit(EXIT_OK));
    process.on("message", (message: unknown) => {
      if (!isMasterMessage(message)) return;
      if (message.drover === "quiesce") drain();
      else if (message.drover === "detach") {
        scoreboard.detach();
        process.send?.({ drover: "detached" } satisfies ChildMessage);
      }
    });
  }

  let app: LoadedApp;
  try {
    dropPrivileges(spec.uid, spec.gid);
    const lanes = slowLanes(spec.slowRequestThresholdMs, {
      slowRoute: (route, averageMs) =>
        log.debug(
          { route, averageMs: Math.round(averageMs) },
          "route holds the event loop: its requests take the slow lane",
        ),
      queued: (waiting) => record.slowLaneQueued(waiting),
      started: (waiting) => record.setSlowLaneWaiting(waiting),
    });
    app = await loadApp(spec.app, slots, requestHandlers, lanes);
    for (const module of await loadModules(spec.modules)) hooks.register(module);
    hooks.register(appModule(app.definition, context));
    await hooks.run("childInit", initInput);
    initialised = true;
  } catch (error) {
    const code = SICK_CODES.has((error as NodeJS.ErrnoException).code ?? "")
      ? EXIT_CHILD_SICK
      : EXIT_CHILD_FATAL;
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log.error(
      { err: error },
      code === EXIT_CHILD_SICK ? "child is short of a resource" : "child cannot initialise",
    );
    await exit(code, { drover: "fatal", reason });
    return;
  }
  if (draining) return;

  const fds = options.fds ?? spec.listeners.map((_, index) => FIRST_LISTENER_FD + index);
  listeners = new ChildListeners(fds, app.server, (socket) => slots.connected(socket));
  gate.attach(listeners);
  slots.ready();
  await listeners.resume();
  record.setState(ProcessState.Ready);
  process.send?.({ drover: "ready" } satisfies ChildMessage);
  log.debug({ listen: spec.listeners }, "child ready");
}
