// What a master holds for its whole life, and the order it is given up in: the run directory
// (run-directory.ts), the listeners of the first generation, the scoreboard, the sockets the master
// answers on itself (master-servers.ts) and the signals; an upgrade's new master takes the run files
// and those sockets over only once it serves. The stop: the operation in progress is aborted,
// children drain (graceful) or are stopped at once, then every resource goes, each step on its own
// so that one failing does not keep the rest.
import { setTimeout as delay } from "node:timers/promises";
import type { ResolvedConfig, TcpListener } from "../../config/types/resolved-config.ts";
import type { SignalMapping } from "../../config/types/values.ts";
import type { Logger } from "../../log/logger.ts";
import { loadAddon } from "../../native/addon.ts";
import { Scoreboard } from "../../scoreboard/index.ts";
import type { PassedSocket } from "../../systemd/activation.ts";
import type { ModuleHost } from "../generations/module-host.ts";
import type { Lifecycle } from "../lifecycle.ts";
import type { StopOptions } from "../master.ts";
import type { Pool } from "../pool/pool.ts";
import { type SignalAction, SignalHandlers } from "../signals.ts";
import type { UpgradeOrigin } from "../upgrade/upgrade-env.ts";
import { firstListeners } from "./first-listeners.ts";
import { closeListeners, type OpenListener } from "./listeners.ts";
import { MasterServers, type ServerParts } from "./master-servers.ts";
import { RunDirectory } from "./run-directory.ts";
import type { RunFiles } from "./run-files.ts";
import { STOP_CHILDREN_MS, stopWithinMs } from "./stop-bound.ts";

export interface RunParts extends ServerParts {
  readonly act: (action: SignalAction, signal: NodeJS.Signals) => void;
  readonly pool: () => Pool;
  /** The listeners of the generation serving now. */
  readonly listeners: () => readonly OpenListener[];
  readonly modules: () => ModuleHost;
  /** The config of the generation serving now. */
  readonly config: () => ResolvedConfig;
  /** Stops the once-a-second maintenance. */
  readonly quiet: () => void;
  /** The sockets systemd passed (socket activation), served instead of binding their listen entries. */
  readonly passed: readonly PassedSocket[];
  /** Set when this master was started by `drover upgrade` of another: see takeOver. */
  readonly upgrade: UpgradeOrigin | undefined;
}

export class MasterRun {
  readonly files: RunFiles;
  readonly exited: Promise<number>;
  readonly servers: MasterServers;
  readonly #config: ResolvedConfig;
  readonly #log: Logger;
  readonly #lifecycle: Lifecycle;
  readonly #parts: RunParts;
  #resolveExited: (code: number) => void = () => {};
  #exitCode = 0;
  readonly #dir: RunDirectory;
  #scoreboard: Scoreboard | undefined;
  #listeners: readonly OpenListener[] = [];
  readonly #signals: SignalHandlers;
  #stopping: Promise<number> | undefined;
  // Aborted when a hard stop arrives during a graceful one: the drain is cut short.
  readonly #hurry = new AbortController();

  constructor(config: ResolvedConfig, log: Logger, lifecycle: Lifecycle, parts: RunParts) {
    this.#config = config;
    this.#log = log;
    this.#lifecycle = lifecycle;
    this.#parts = parts;
    this.#dir = new RunDirectory(config.runDir);
    this.files = this.#dir.files;
    this.#signals = new SignalHandlers(parts.act);
    this.servers = new MasterServers(this.files, log, parts);
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
    const upgrade = this.#parts.upgrade;
    this.#dir.make();
    // An upgrade's new master takes the run files over once it serves (takeOver): the old one answers till then.
    if (!upgrade) this.#dir.lockPidFile();
    const listeners = await firstListeners(this.#config.listen, this.#parts.passed, upgrade, this.#log);
    this.#listeners = listeners;
    signal.throwIfAborted();
    this.#scoreboard = Scoreboard.create({
      name: this.files.scoreboardName,
      // The drones' slots follow the children's (see drone-spawner.ts).
      serverLimit: this.#config.serverLimit + this.#config.droneLimit,
      droneBase: this.#config.serverLimit,
      workerLimit: this.#config.workerLimit,
    });
    if (!upgrade) await this.#serveRunFiles(this.#config.health?.listen);
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
    await this.#serveRunFiles(undefined);
    this.#dir.takeOverPidFile();
    this.watchFiles();
    const { health } = this.#config;
    if (health) this.servers.serveHealthWhenFree(health.listen, this.#lifecycle);
  }

  /** A new master serves on this one's sockets and holds its run files: this one leaves them be. */
  handOver(): void {
    this.#dir.handOver();
    this.servers.letHealthGo();
  }

  // The master's own sockets (the health listener on `health`), then the janitor.
  async #serveRunFiles(health: TcpListener | undefined): Promise<void> {
    await this.servers.serve(health);
    this.#dir.startJanitor();
    if (this.#dir.locked) this.watchFiles();
  }

  /** Tells the janitor which files are the master's now (after a reload changed the listeners). */
  watchFiles(): void {
    // A socket file systemd made is systemd's to remove.
    const sockets = [...this.#listeners, ...this.#parts.listeners()].flatMap(({ listener, adopted }) =>
      listener.kind === "unix" && !adopted ? [listener.path] : [],
    );
    this.#dir.watch(sockets);
  }

  /** Installs the signal handlers of `mapping` (again, when a reload changed it). */
  followSignals(mapping: SignalMapping): void {
    if (!this.#lifecycle.stopping) this.#signals.follow(mapping);
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
      await this.#dir.finish();
    }
    this.#lifecycle.stopped();
    this.#log.info({ code: this.#exitCode }, "drover stopped");
    this.#resolveExited(this.#exitCode);
    return this.#exitCode;
  }

  async #drain(pool: Pool, timeoutMs: number): Promise<void> {
    const { shutdownDelay } = this.#serving();
    // Handed over: the new master already serves, nothing waits for this one's readiness to turn.
    if (shutdownDelay > 0 && !this.#dir.handedOver) {
      this.#log.info({ shutdownDelayMs: shutdownDelay }, "graceful stop: still accepting for shutdownDelay");
      await delay(shutdownDelay, undefined, { signal: this.#hurry.signal }).catch(() => {});
    }
    // The children accept on descriptors of their own; the master's go first, theirs as they drain.
    this.#closeListeners();
    this.#log.info({ timeoutMs }, "graceful stop: children finish their requests, drones their calls");
    // Callers over NATS move to the other hosts first: nothing new arrives once this master left.
    await this.servers.leaveNats();
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
    closeListeners(this.#listeners, this.#dir.handedOver);
    closeListeners(this.#parts.listeners(), this.#dir.handedOver);
  }

  // Everything the master holds, each step on its own.
  async #release(): Promise<void> {
    const scoreboard = this.#scoreboard;
    const steps: Array<() => unknown> = [
      () => scoreboard?.close(),
      () => this.#parts.modules().close(),
      ...this.servers.closing(),
      () => this.#signals.uninstall(),
      () => this.#dir.remove(),
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
