// What a master holds for its whole life, and the order it is given up in: the run directory and pid
// file, the listeners of the first generation, the scoreboard, the control socket and the signals.
// The stop: the operation in progress is aborted, children drain (graceful) or are stopped at once,
// then every resource goes, each step on its own so that one failing does not keep the rest.
import { setTimeout as delay } from "node:timers/promises";
import type { ResolvedConfig, ResolvedService, SignalMapping } from "../../config/types.ts";
import type { Dispatch } from "../../dispatch/dispatch.ts";
import { DroverError, ErrorCode } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import { loadAddon } from "../../native/addon.ts";
import { Scoreboard } from "../../scoreboard/index.ts";
import type { PassedSocket } from "../../systemd/activation.ts";
import { type EmbeddedServer, listenEmbedded } from "../../transports/embedded/index.ts";
import type { NatsTransport } from "../../transports/nats/index.ts";
import { type ControlRequest, type ControlServer, startControlServer } from "../control/control-server.ts";
import type { ModuleHost } from "../generations/module-host.ts";
import type { MasterHealth } from "../health/health.ts";
import { type HealthServer, startHealthServer } from "../health/health-server.ts";
import type { Lifecycle } from "../lifecycle.ts";
import type { StopOptions } from "../master.ts";
import type { Pool } from "../pool/pool.ts";
import { installSignals, type SignalAction } from "../signals.ts";
import { healthWhenFree, inheritedListeners } from "../upgrade/inherited.ts";
import type { UpgradeOrigin } from "../upgrade/upgrade-env.ts";
import { logAdoption } from "./adoption-log.ts";
import { Janitor } from "./janitor.ts";
import { closeListeners, type OpenListener, openListeners } from "./listeners.ts";
import { acquirePidLock, type PidLock, takeOverPidLock } from "./pid-lock.ts";
import { makeRunDir, type RunFiles, removeRunDir, removeRunFiles, runFiles } from "./run-files.ts";
import { STOP_CHILDREN_MS, stopWithinMs } from "./stop-bound.ts";

export interface RunParts {
  readonly act: (action: SignalAction, signal: NodeJS.Signals) => void;
  readonly control: (request: ControlRequest) => Promise<Record<string, unknown>>;
  readonly pool: () => Pool;
  /** The listeners of the generation serving now. */
  readonly listeners: () => readonly OpenListener[];
  readonly modules: () => ModuleHost;
  /** The config of the generation serving now. */
  readonly config: () => ResolvedConfig;
  /** Stops the once-a-second maintenance. */
  readonly quiet: () => void;
  readonly dispatch: () => Dispatch;
  /** The sockets systemd passed (socket activation), served instead of binding their listen entries. */
  readonly passed: readonly PassedSocket[];
  /** What the health listener (config.health) answers. */
  readonly health: MasterHealth;
  /** Set when this master was started by `drover upgrade` of another: see takeOver. */
  readonly upgrade: UpgradeOrigin | undefined;
}

export class MasterRun {
  readonly files: RunFiles;
  readonly exited: Promise<number>;
  readonly #config: ResolvedConfig;
  readonly #log: Logger;
  readonly #lifecycle: Lifecycle;
  readonly #parts: RunParts;
  #resolveExited: (code: number) => void = () => {};
  #exitCode = 0;
  #scoreboard: Scoreboard | undefined;
  #control: ControlServer | undefined;
  #embedded: EmbeddedServer | undefined;
  // Loaded with the first service that has a NATS transport.
  #nats: Promise<NatsTransport> | undefined;
  #health: HealthServer | undefined;
  #listeners: readonly OpenListener[] = [];
  #signals: { mapping: SignalMapping; uninstall: () => void } | undefined;
  // Held once this master locked its pid file: a master refused at start-up must not remove another's files.
  #lock: PidLock | undefined;
  #createdRunDir = false;
  #janitor: Janitor | undefined;
  #stopping: Promise<number> | undefined;
  // Aborted when a hard stop arrives during a graceful one: the drain is cut short.
  readonly #hurry = new AbortController();
  // Its sockets and run files are a new master's now (an upgrade): this one removes none of them.
  #handedOver = false;

  constructor(config: ResolvedConfig, log: Logger, lifecycle: Lifecycle, parts: RunParts) {
    this.#config = config;
    this.#log = log;
    this.#lifecycle = lifecycle;
    this.#parts = parts;
    this.files = runFiles(config.runDir);
    this.exited = new Promise((resolve) => {
      this.#resolveExited = resolve;
    });
  }

  get scoreboardIfOpen(): Scoreboard | undefined {
    return this.#scoreboard;
  }

  /** The listeners systemd passed: a reload that names one again finds it here. */
  get adopted(): readonly OpenListener[] {
    return this.#listeners.filter((open) => open.adopted);
  }

  /**
   * Takes the run directory, binds the listeners, creates the scoreboard and the control socket. The
   * signals are heard from the first moment: a stop asked meanwhile aborts `signal`, and this gives up
   * (what it made is released by the stop).
   */
  async open(signal: AbortSignal): Promise<OpenListener[]> {
    this.followSignals(this.#config.signals);
    // An addon that cannot load fails the start here, as itself, before any file or socket is made.
    loadAddon();
    const { runDir, pidFile } = this.files;
    const upgrade = this.#parts.upgrade;
    this.#createdRunDir = makeRunDir(runDir);
    // An upgrade's new master takes the run files over once it serves (takeOver): the old one answers till then.
    if (!upgrade) this.#lockPidFile(pidFile, runDir);
    const opened = await openListeners(this.#config.listen, this.#parts.passed);
    const listeners = upgrade ? inheritedListeners(opened, upgrade, this.#log) : opened;
    this.#listeners = listeners;
    if (!upgrade && this.#parts.passed.length > 0) logAdoption(listeners, this.#log);
    signal.throwIfAborted();
    this.#scoreboard = Scoreboard.create({
      name: this.files.scoreboardName,
      // The drones' slots follow the children's (see drone-spawner.ts).
      serverLimit: this.#config.serverLimit + this.#config.droneLimit,
      droneBase: this.#config.serverLimit,
      workerLimit: this.#config.workerLimit,
    });
    if (!upgrade) await this.#serveRunFiles(true);
    this.#scoreboard.master.setGeneration(0, Date.now());
    this.#scoreboard.master.setSpawnRate(1);
    signal.throwIfAborted();
    return listeners;
  }

  /**
   * An upgrade's new master, serving, takes the run directory over: each file is renamed over the old
   * master's, so that every name answers at every moment: first the service socket (new callers come
   * here), then the control socket, last the pid file (which `drover status` reads the master from).
   * The health listener follows once the old master has let it go.
   */
  async takeOver(): Promise<void> {
    await this.#serveRunFiles(false);
    this.#lock = takeOverPidLock(this.files.pidFile);
    this.watchFiles();
    const { health } = this.#config;
    if (health) {
      void healthWhenFree(health.listen, this.#parts.health, this.#log, this.#lifecycle.signal).then(
        (server) => {
          if (server && this.#lifecycle.stopping) void server.close();
          else this.#health = server;
        },
      );
    }
  }

  /** A new master serves on this one's sockets and holds its run files: this one leaves them be. */
  handOver(): void {
    this.#handedOver = true;
    // The new master binds the health port as soon as it is free.
    void this.#health?.close();
    this.#health = undefined;
  }

  #lockPidFile(pidFile: string, runDir: string): void {
    const lock = acquirePidLock(pidFile);
    if ("heldBy" in lock) {
      const who =
        lock.heldBy === undefined ? "another drover master" : `a drover master (pid ${lock.heldBy})`;
      throw new DroverError(
        ErrorCode.ALREADY_RUNNING,
        `${who} already runs in ${runDir}: stop it with \`drover stop\`, or use another --run-dir`,
      );
    }
    this.#lock = lock;
  }

  // The service and control sockets (each renamed into place over what is there), the health listener
  // (`health`) and the janitor.
  async #serveRunFiles(health: boolean): Promise<void> {
    // Always there, so that a caller of a master without services is told so (NO_SUCH_SERVICE).
    this.#embedded = await listenEmbedded(this.files.dispatchSocket, this.#parts.dispatch(), this.#log);
    this.#control = await startControlServer(this.files.controlSocket, this.#parts.control);
    const listen = this.#config.health?.listen;
    if (health && listen) {
      this.#health = await startHealthServer(listen, this.#parts.health, this.#log);
      this.#log.info({ health: this.#health.address }, "health endpoints: GET /livez and /readyz");
    }
    this.#janitor = Janitor.start();
    if (this.#lock) this.watchFiles();
  }

  /** The serving generation's services: those with a NATS transport take calls from NATS. */
  serveNats(services: readonly ResolvedService[]): void {
    if (!this.#nats && !services.some((service) => service.nats)) return;
    this.#nats ??= import("../../transports/nats/index.ts").then(
      ({ NatsTransport }) => new NatsTransport(this.#parts.dispatch(), this.#log),
    );
    void this.#nats.then((nats) => nats.serve(services));
  }

  /** Tells the janitor which files are the master's now (after a reload changed the listeners). */
  watchFiles(): void {
    // A socket file systemd made is systemd's to remove.
    const sockets = [...this.#listeners, ...this.#parts.listeners()].flatMap(({ listener, adopted }) =>
      listener.kind === "unix" && !adopted ? [listener.path] : [],
    );
    this.#janitor?.watch(this.files.pidFile, this.files.runDir, [
      this.files.controlSocket,
      this.files.dispatchSocket,
      ...new Set(sockets),
    ]);
  }

  /** Installs the signal handlers of `mapping` (again, when a reload changed it). */
  followSignals(mapping: SignalMapping): void {
    if (this.#signals?.mapping === mapping || this.#lifecycle.stopping) return;
    this.#signals?.uninstall();
    this.#signals = {
      mapping,
      uninstall: installSignals(mapping, (action, signal) => this.#parts.act(action, signal)),
    };
  }

  /** No child of the serving generation can initialise: the master stops and exits 1. */
  fatal(reason: string, stop: () => Promise<number>): void {
    this.#log.fatal(reason);
    this.#exitCode = 1;
    void stop();
  }

  /** The stop; a second call waits for the first, and a hard one hurries a graceful one. */
  shutDown(options: StopOptions, exitCode?: number): Promise<number> {
    if (exitCode !== undefined) this.#exitCode = exitCode;
    if (this.#stopping) {
      if (!options.graceful) this.#hurry.abort();
      return this.#stopping;
    }
    this.#stopping = this.#stop(options);
    return this.#stopping;
  }

  /** How long a stop with `options` takes at the most. */
  stopWithin(options: StopOptions): number {
    return stopWithinMs(this.#serving(), options);
  }

  async #stop(options: StopOptions): Promise<number> {
    await this.#lifecycle.beginStop();
    this.#parts.quiet();
    const pool = this.#parts.pool();
    try {
      if (options.graceful && pool.table.size > 0) {
        await this.#drain(pool, options.timeoutMs ?? this.#serving().gracefulShutdownTimeout);
      }
    } finally {
      this.#closeListeners();
      await pool.stopAll(STOP_CHILDREN_MS);
      this.#parts.dispatch().abandon();
      await this.#release();
      await this.#janitor?.finish();
    }
    this.#lifecycle.stopped();
    this.#log.info({ code: this.#exitCode }, "drover stopped");
    this.#resolveExited(this.#exitCode);
    return this.#exitCode;
  }

  async #drain(pool: Pool, timeoutMs: number): Promise<void> {
    const { shutdownDelay } = this.#serving();
    // Handed over: the new master already serves, nothing waits for this one's readiness to turn.
    if (shutdownDelay > 0 && !this.#handedOver) {
      this.#log.info({ shutdownDelayMs: shutdownDelay }, "graceful stop: still accepting for shutdownDelay");
      await delay(shutdownDelay, undefined, { signal: this.#hurry.signal }).catch(() => {});
    }
    // The children accept on descriptors of their own; the master's go first, theirs as they drain.
    this.#closeListeners();
    this.#log.info({ timeoutMs }, "graceful stop: children finish their requests");
    // Callers over NATS move to the other hosts first: nothing new arrives once this master left.
    await (await this.#nats)?.leave();
    // Drones finish the calls queued for them first; the dispatcher lets them go.
    this.#parts.dispatch().drain(timeoutMs);
    for (const child of pool.table.all()) if (!child.drone) child.quiesce("stop", timeoutMs);
    if (!(await pool.whenEmpty(timeoutMs, this.#hurry.signal))) {
      this.#log.warn(
        this.#hurry.signal.aborted
          ? "graceful stop: hurried by a hard stop, stopping the children left"
          : "graceful stop: time is up, stopping the children left",
      );
    }
  }

  #serving(): ResolvedConfig {
    return this.#parts.config();
  }

  #closeListeners(): void {
    closeListeners(this.#listeners, this.#handedOver);
    closeListeners(this.#parts.listeners(), this.#handedOver);
  }

  // Everything the master holds, each step on its own.
  async #release(): Promise<void> {
    const scoreboard = this.#scoreboard;
    const steps: Array<() => unknown> = [
      () => scoreboard?.close(),
      () => this.#parts.modules().close(),
      // Every client is cut: none can keep a stopping master alive (review D6).
      () => this.#control?.close(),
      () => this.#embedded?.close(),
      async () => (await this.#nats)?.close(),
      // Last of the listeners: /readyz says "stopping" for as long as the stop runs.
      () => this.#health?.close(),
      () => this.#signals?.uninstall(),
      () =>
        this.#handedOver
          ? this.#lock?.release()
          : this.#lock
            ? removeRunFiles(this.files, this.#lock)
            : this.#createdRunDir && removeRunDir(this.files.runDir),
    ];
    this.#scoreboard = undefined;
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        this.#log.error({ err: error }, `while stopping: ${(error as Error).message}`);
      }
    }
  }
}
