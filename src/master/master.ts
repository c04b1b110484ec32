// The master: reads the config, binds the listeners, keeps the scoreboard, and supervises the pool of
// children by generations: idle maintenance once a second, graceful and hard restarts, graceful and
// hard stops, hung-child detection. It never accepts a connection itself.
import { chownSync } from "node:fs";
import type { Server } from "node:net";
import { type ResolvedConfig, resolveConfig } from "../config/index.ts";
import type { DroverConfig } from "../config/types.ts";
import { DroverError, ErrorCode } from "../errors.ts";
import { createLogger, type Logger } from "../log/logger.ts";
import { EXIT_CHILD_FATAL, EXIT_CHILD_SICK } from "../protocol/exit-codes.ts";
import { type ProcessSnapshot, Scoreboard } from "../scoreboard/index.ts";
import { statusReport } from "../status/report.ts";
import { childExecArgv } from "./child-exec-argv.ts";
import { childSpec } from "./child-spec.ts";
import { type ChildExit, type ChildRecord, ChildTable } from "./children.ts";
import { type ControlRequest, startControlServer } from "./control-server.ts";
import { type GenerationHooks, MasterHooks } from "./generation-hooks.ts";
import { GenerationStart } from "./generation-start.ts";
import { readHungStack } from "./hung-child.ts";
import {
  closeListeners,
  closeUnused,
  type OpenListener,
  openListeners,
  reuseListeners,
} from "./listeners.ts";
import {
  freshMemory,
  HOLD_OFF_AFTER_GRACEFUL,
  type MaintenanceMemory,
  performIdleMaintenance,
  type SlotView,
} from "./maintenance.ts";
import {
  makeRunDir,
  type RunFiles,
  removeRunFiles,
  runFiles,
  runningMasterPid,
  writePidFile,
} from "./run-files.ts";
import { installSignals } from "./signals.ts";

export interface MasterOptions {
  /** Where relative paths and the config file search start. Default process.cwd(). */
  readonly cwd?: string;
  /** The config file, re-read on every restart. Default: drover.config.* in cwd, if there is one. */
  readonly configFile?: string;
  /** Fields from the command line, over the file's, on every restart. */
  readonly flags?: DroverConfig;
  /** Where operator messages go. Default: a logger at the config's logLevel. */
  readonly log?: Logger;
}

export interface StopOptions {
  /** Let children finish their requests (within gracefulShutdownTimeout, or `timeoutMs`) first. */
  readonly graceful?: boolean;
  readonly timeoutMs?: number;
}

const MAINTENANCE_MS = 1_000;
// A failed fork backs off this long before the next try, so a system out of processes is not hammered.
const FORK_BACKOFF_MS = 10_000;
// How long a new generation has to get every child ready before the start or reload counts as failed.
const GENERATION_READY_MS = 60_000;
// Escalation of a hard stop: SIGTERM, then SIGKILL for those still alive after this.
const KILL_GRACE_MS = 3_000;

/** What belongs to one generation: its config, modules and listeners. */
interface GenerationState {
  readonly config: ResolvedConfig;
  readonly generation: number;
  readonly listeners: OpenListener[];
  readonly hooks: GenerationHooks | undefined;
}

type MasterState = "starting" | "running" | "restarting" | "stopping" | "stopped";

export class Master {
  readonly #options: MasterOptions;
  readonly #files: RunFiles;
  readonly #log: Logger;
  readonly #children: ChildTable;
  readonly #memory: MaintenanceMemory = freshMemory();
  #config: ResolvedConfig;
  #scoreboard: Scoreboard | undefined;
  #listeners: OpenListener[] = [];
  #generation = 0;
  // The highest generation number handed out: numbers are never reused, even after a failed reload.
  #lastGeneration = 0;
  #restartKind: "first" | "graceful" | "hard" = "first";
  #state: MasterState = "starting";
  #timer: NodeJS.Timeout | undefined;
  #forkBackoffUntil = 0;
  #starting: GenerationStart | undefined;
  #exitCode = 0;
  #resolveExited: (code: number) => void = () => {};
  readonly #exited = new Promise<number>((resolve) => {
    this.#resolveExited = resolve;
  });
  #uninstallSignals: () => void = () => {};
  // Set once this master wrote its pid file: a master refused at start-up must not remove another's files.
  #ownsRunFiles = false;
  // Cuts a graceful stop's drain short when a hard stop arrives meanwhile.
  #hurry: () => void = () => {};
  #control: Server | undefined;
  // Module state that outlives generations, and the hooks of the generation in charge.
  readonly #modules: MasterHooks;
  #hooks: GenerationHooks | undefined;
  // Generation starts waiting for a draining child to give its slot up.
  readonly #slotWaiters = new Map<ChildRecord, () => void>();

  private constructor(options: MasterOptions, config: ResolvedConfig, log: Logger) {
    this.#options = options;
    this.#config = config;
    this.#log = log;
    this.#files = runFiles(config.runDir);
    this.#modules = new MasterHooks(log, {
      runId: this.#files.id,
      share: (path) => this.#shareWithChildren(path),
    });
    this.#children = new ChildTable({
      ready: (child) => this.#childReady(child),
      detached: (child) => this.#slotLost(child),
      exit: (exit) => this.#childExited(exit),
    });
  }

  /**
   * Reads and checks the config, binds the listeners, creates the scoreboard and starts the first
   * generation; resolves once every child of it is ready. Throws (having left nothing behind) when the
   * config is bad, a listener cannot be bound, or no child can initialise.
   */
  static async start(options: MasterOptions = {}): Promise<Master> {
    const { config, warnings } = await resolveConfig({
      cwd: options.cwd,
      file: options.configFile,
      flags: options.flags,
    });
    const log = options.log ?? createLogger(config.logLevel, { role: "master" });
    for (const warning of warnings) log.warn(warning);
    const master = new Master(options, config, log);
    try {
      await master.#boot();
    } catch (error) {
      master.#exitCode = 1;
      await master.#shutDown({ graceful: false });
      throw error;
    }
    return master;
  }

  /** Resolves with the master's exit code once it has stopped and cleaned up. */
  get exited(): Promise<number> {
    return this.#exited;
  }

  get config(): ResolvedConfig {
    return this.#config;
  }

  get generation(): number {
    return this.#generation;
  }

  get files(): RunFiles {
    return this.#files;
  }

  /** The addresses listened on, with real ports. */
  get addresses(): string[] {
    return this.#listeners.map((listener) => listener.address);
  }

  get scoreboard(): Scoreboard {
    if (!this.#scoreboard) throw new DroverError(ErrorCode.NOT_RUNNING, "the master is not running");
    return this.#scoreboard;
  }

  async #boot(): Promise<void> {
    const running = runningMasterPid(this.#files);
    if (running !== undefined) {
      throw new DroverError(
        ErrorCode.ALREADY_RUNNING,
        `a drover master (pid ${running}) already runs in ${this.#files.runDir}: stop it with \`drover stop\`, or use another --run-dir`,
      );
    }
    makeRunDir(this.#files.runDir);
    this.#listeners = await openListeners(this.#config.listen);
    // A master that died without cleaning up left a scoreboard; no master runs here, so it is ours.
    this.#scoreboard = Scoreboard.create({
      path: this.#files.scoreboard,
      serverLimit: this.#config.serverLimit,
      workerLimit: this.#config.workerLimit,
      replace: true,
    });
    this.#shareWithChildren(this.#scoreboard.path);
    writePidFile(this.#files);
    this.#ownsRunFiles = true;
    this.#control = await startControlServer(this.#files.controlSocket, (request) => this.#command(request));
    this.#scoreboard.master.setGeneration(this.#generation, Date.now());
    this.#scoreboard.master.setSpawnRate(this.#memory.idleSpawnRate);
    this.#uninstallSignals = installSignals({
      stop: () => void this.stop(),
      gracefulStop: () => void this.stop({ graceful: true }),
      reload: () => void this.#fromSignal(() => this.reload()),
      restart: () => void this.#fromSignal(() => this.restart()),
    });
    this.#hooks = await this.#modules.prepare(this.#config, this.#generation, "first");
    this.#modules.commit(this.#hooks);
    await this.#startGeneration(this.#config.startServers);
    this.#state = "running";
    this.#timer = setInterval(() => this.#maintain(), MAINTENANCE_MS);
    this.#log.info(
      { generation: this.#generation, listen: this.addresses, children: this.#children.size },
      "drover configured: resuming normal operations",
    );
  }

  /**
   * Graceful restart: re-reads the config and starts generation N+1; once all its children are ready,
   * generation N stops accepting and finishes its requests. If the config is bad or the new children
   * fail, generation N keeps serving and this rejects with the reason.
   */
  reload(): Promise<{ generation: number; warnings: string[] }> {
    return this.#restarting("reload", async () => {
      const next = await this.#prepareGeneration("graceful");
      const old = this.#children.all().filter((child) => child.generation === this.#generation);
      const previous = this.#current();
      this.#advance(next, "graceful");
      this.#log.info({ generation: this.#generation }, "graceful restart: starting the new generation");
      try {
        await this.#startGeneration(next.config.startServers);
      } catch (error) {
        // The new generation failed: put the old one back in charge, untouched.
        for (const child of this.#children.all()) {
          if (child.generation === this.#generation) this.#kill(child);
        }
        closeUnused(this.#listeners, previous.listeners);
        this.#modules.rollback(next.hooks);
        this.#restore(previous);
        throw new DroverError(
          ErrorCode.RELOAD_FAILED,
          `graceful restart failed; generation ${previous.generation} keeps serving: ${(error as Error).message}`,
          { cause: error },
        );
      }
      for (const child of old) this.#children.quiesce(child);
      closeUnused(previous.listeners, this.#listeners);
      this.#modules.commit(next.hooks);
      this.#memory.holdOffOnExponentialSpawning = HOLD_OFF_AFTER_GRACEFUL;
      this.#memory.maxRequestWorkersReported = false;
      this.#memory.nearMaxRequestWorkersReported = false;
      this.#log.info({ generation: this.#generation, draining: old.length }, "graceful restart done");
      return { generation: this.#generation, warnings: next.warnings };
    });
  }

  /** Hard restart: re-reads the config, kills every child, starts a new generation. */
  restart(): Promise<{ generation: number; warnings: string[] }> {
    return this.#restarting("restart", async () => {
      const next = await this.#prepareGeneration("hard");
      this.#log.info("hard restart: stopping every child");
      await this.#killAll();
      closeUnused(this.#listeners, next.listeners);
      this.#modules.commit(next.hooks);
      this.#advance(next, "hard");
      Object.assign(this.#memory, freshMemory());
      await this.#startGeneration(next.config.startServers);
      return { generation: this.#generation, warnings: next.warnings };
    });
  }

  async #restarting<T>(command: string, restart: () => Promise<T>): Promise<T> {
    this.#refuseUnlessRunning(command);
    this.#state = "restarting";
    try {
      return await restart();
    } finally {
      if (this.#state === "restarting") this.#state = "running";
    }
  }

  /**
   * What the next generation needs, made without touching the running one: the config read and
   * checked again, its modules' master phases run, its listeners open.
   */
  async #prepareGeneration(
    restart: "graceful" | "hard",
  ): Promise<Omit<GenerationState, "generation" | "hooks"> & { hooks: GenerationHooks; warnings: string[] }> {
    const { config, warnings } = await resolveConfig({
      cwd: this.#options.cwd,
      file: this.#options.configFile,
      flags: this.#options.flags,
      previous: this.#config,
    });
    for (const warning of warnings) this.#log.warn(warning);
    const hooks = await this.#modules.prepare(config, this.#lastGeneration + 1, restart);
    try {
      const listeners = await reuseListeners(this.#listeners, config.listen);
      return { config, warnings, hooks, listeners };
    } catch (error) {
      this.#modules.rollback(hooks);
      throw error;
    }
  }

  #current(): GenerationState {
    return {
      config: this.#config,
      generation: this.#generation,
      listeners: this.#listeners,
      hooks: this.#hooks,
    };
  }

  /** Makes a prepared generation the current one. */
  #advance(next: Omit<GenerationState, "generation">, restart: "graceful" | "hard"): void {
    this.#restore({ ...next, generation: ++this.#lastGeneration }, restart);
    this.#restartKind = restart;
  }

  /** Puts a generation in charge; `restart` says which kind of restart begins it (none: a rollback). */
  #restore(state: GenerationState, restart?: "graceful" | "hard"): void {
    this.#config = state.config;
    this.#listeners = state.listeners;
    this.#hooks = state.hooks;
    this.#generation = state.generation;
    this.scoreboard.master.setGeneration(this.#generation, Date.now(), restart);
  }

  /** Stops the master: gracefully (children drain first) or at once. Resolves with the exit code. */
  async stop(options: StopOptions = {}): Promise<number> {
    if (this.#state === "stopping" || this.#state === "stopped") {
      // A hard stop during a graceful one: the children left are killed now.
      if (!options.graceful) this.#hurry();
      return this.#exited;
    }
    await this.#shutDown(options);
    return this.#exited;
  }

  async #shutDown(options: StopOptions): Promise<void> {
    this.#state = "stopping";
    clearInterval(this.#timer);
    this.#starting?.fail("the master is stopping");
    // Stop accepting first, as Apache does: no connection waits in a backlog that no child will drain.
    closeListeners(this.#listeners);
    this.#listeners = [];
    if (options.graceful && this.#children.size > 0) {
      const timeoutMs = options.timeoutMs ?? this.#config.gracefulShutdownTimeout;
      this.#log.info({ timeoutMs }, "graceful stop: children finish their requests");
      for (const child of this.#children.all()) this.#children.quiesce(child);
      if (!(await this.#waitForChildren(timeoutMs))) {
        this.#log.warn("graceful stop: time is up, killing the children left");
      }
    }
    await this.#killAll();
    this.#scoreboard?.close();
    this.#scoreboard = undefined;
    this.#modules.close();
    await new Promise((resolve) => (this.#control ? this.#control.close(resolve) : resolve(undefined)));
    this.#uninstallSignals();
    if (this.#ownsRunFiles) removeRunFiles(this.#files);
    this.#state = "stopped";
    this.#log.info({ code: this.#exitCode }, "drover stopped");
    this.#resolveExited(this.#exitCode);
  }

  /** Answers a request from the control socket. */
  async #command(request: ControlRequest): Promise<Record<string, unknown>> {
    switch (request.command) {
      case "status":
        return { status: statusReport(this.scoreboard.snapshot()) };
      case "reload":
        return await this.reload();
      case "restart":
        return await this.restart();
      case "stop":
        // Answer first: the reply would not survive the socket's closing.
        setImmediate(() => void this.stop(request));
        return { stopping: true, pid: process.pid };
    }
  }

  // --- generations ------------------------------------------------------------------------------

  /** Spawns `count` children of the current generation and waits for all of them to be ready. */
  async #startGeneration(count: number): Promise<void> {
    const slots = await this.#claimSlots(Math.max(1, count));
    if (slots.length === 0) throw new Error("no child slot for the new generation: raise serverLimit");
    const start = new GenerationStart(this.#generation, slots.length, GENERATION_READY_MS);
    this.#starting = start;
    try {
      for (const slot of slots) this.#spawn(slot);
      await start.done;
    } finally {
      this.#starting = undefined;
    }
  }

  #childReady(child: ChildRecord): void {
    if (child.generation === this.#generation) this.#memory.hadHealthyChild = true;
    if (this.#starting?.generation === child.generation) this.#starting.ready();
    this.#log.debug({ slot: child.slot, childPid: child.pid, generation: child.generation }, "child ready");
    this.#childStatus(child, "started");
  }

  #childStatus(child: ChildRecord, status: "started" | "exited" | "lost"): void {
    if (this.#hooks) void this.#modules.childStatus(this.#hooks, child, status);
  }

  #childExited({ child, code, signal }: ChildExit): void {
    this.#modules.childExited(child.pid);
    if (this.#scoreboard && !this.#children.inSlot(child.slot))
      this.#scoreboard.master.reclaimSlot(child.slot);
    this.#slotFreed(child);
    this.#childStatus(child, "exited");
    const where = { slot: child.slot, childPid: child.pid, generation: child.generation, code, signal };
    const current = child.generation === this.#generation;
    const asked = child.quiescing || child.killing || this.#state === "stopping";
    if (this.#scoreboard && (!asked || code === EXIT_CHILD_FATAL || code === EXIT_CHILD_SICK)) {
      this.#scoreboard.master.countChild("failed");
    }
    if (code === EXIT_CHILD_FATAL) {
      const reason = child.fatalReason ?? "it exited as unable to initialise";
      if (this.#starting?.generation === child.generation) {
        this.#starting.fail(`a child of generation ${child.generation} could not initialise: ${reason}`);
      } else if (current && !this.#memory.hadHealthyChild) {
        this.#log.fatal(
          where,
          `no child of generation ${child.generation} could initialise; stopping: ${reason}`,
        );
        this.#exitCode = 1;
        void this.stop();
      } else if (current) {
        this.#log.error({ ...where, reason }, "a child could not initialise; spawning one at a time");
        this.#memory.idleSpawnRate = 1;
      } else {
        this.#log.warn(where, "ignoring the fatal error of a child of a previous generation");
      }
      return;
    }
    if (code === EXIT_CHILD_SICK) {
      this.#log.error(where, "a child was short of a resource; spawning one at a time");
      if (current) this.#memory.idleSpawnRate = 1;
    } else if (!asked) {
      this.#log.error(where, "a child exited unexpectedly");
    } else {
      this.#log.debug(where, "child exited");
    }
    if (this.#starting?.generation === child.generation && !child.ready) {
      this.#starting.fail(
        `a child of generation ${child.generation} exited before it was ready (code ${code}, signal ${signal})`,
      );
    }
  }

  /**
   * Slots for `count` new children: free ones first; then, when serverLimit leaves too few, slots of
   * older generations' children, which drain and leave the scoreboard first (the seed's lost slots).
   */
  async #claimSlots(count: number): Promise<number[]> {
    const free = this.#freeSlots().slice(0, count);
    const takeovers = this.#children
      .all()
      .filter((c) => c.generation < this.#generation && !c.killing && this.#children.inSlot(c.slot) === c)
      .slice(0, count - free.length);
    if (takeovers.length > 0) {
      this.#log.warn(
        { children: takeovers.length },
        "no free scoreboard slot for the new generation: old children drain and give theirs up; " +
          "raise serverLimit to start a new generation beside the old one",
      );
    }
    await Promise.all(
      takeovers.map(
        (child) =>
          new Promise<void>((resolve) => {
            this.#slotWaiters.set(child, resolve);
            this.#children.quiesce(child);
            this.#detach(child);
          }),
      ),
    );
    return [...free, ...takeovers.map((child) => child.slot)];
  }

  /** Asks a draining child to leave the shared scoreboard; one that does not answer is killed. */
  #detach(child: ChildRecord): void {
    if (child.detaching) return;
    child.detaching = true;
    this.#children.send(child, { drover: "detach" });
    setTimeout(() => {
      if (this.#children.inSlot(child.slot) === child) this.#kill(child);
    }, KILL_GRACE_MS).unref();
  }

  /** A draining child left its slot (the seed's "lost slot"): a new child takes it. */
  #slotLost(child: ChildRecord): void {
    if (this.#children.inSlot(child.slot) !== child) return;
    this.#log.info(
      { slot: child.slot, childPid: child.pid, generation: child.generation },
      "a child still draining gives its scoreboard slot to a new child",
    );
    this.#children.releaseSlot(child);
    this.scoreboard.master.reclaimSlot(child.slot);
    this.#childStatus(child, "lost");
    if (!this.#slotFreed(child) && this.#state === "running") this.#spawn(child.slot);
  }

  /** Wakes a generation start waiting for this child's slot; false when none waits. */
  #slotFreed(child: ChildRecord): boolean {
    const waiter = this.#slotWaiters.get(child);
    if (!waiter) return false;
    this.#slotWaiters.delete(child);
    waiter();
    return true;
  }

  // --- maintenance ------------------------------------------------------------------------------

  #maintain(): void {
    if (this.#state !== "running" || !this.#scoreboard) return;
    if (this.#hooks) void this.#modules.monitor(this.#hooks);
    const snapshot = this.#scoreboard.snapshot();
    this.#checkHeartbeats(snapshot.processes);
    const views: SlotView[] = [];
    for (let slot = 0; slot < this.#config.daemonsLimit; slot++) {
      const child = this.#children.inSlot(slot);
      const record = snapshot.processes.find((p) => p.slot === slot);
      views.push({
        slot,
        occupied: child !== undefined && !child.killing,
        quiescing: child === undefined || child.quiescing || (record?.quiescing ?? false),
        generation: child?.generation ?? -1,
        workers: record?.workers.map((w) => w.state) ?? [],
      });
    }
    const { decision, messages } = performIdleMaintenance(
      views,
      { ...this.#config, generation: this.#generation },
      this.#memory,
    );
    for (const message of messages) this.#log[message.level](message.text);
    this.#scoreboard.master.setSpawnRate(this.#memory.idleSpawnRate);
    if (decision.kind === "retire") {
      const child = this.#children.inSlot(decision.slot);
      if (child) {
        this.#log.debug(
          { slot: child.slot, childPid: child.pid, idle: decision.idle },
          "too many idle workers: retiring a child",
        );
        this.#children.quiesce(child);
      }
    } else if (decision.kind === "spawn" && Date.now() >= this.#forkBackoffUntil) {
      for (const slot of decision.slots) {
        const draining = this.#children.inSlot(slot);
        if (!draining) this.#spawn(slot);
        // A child being killed frees its slot when it exits.
        else if (draining.killing) continue;
        // Each record keeps a single writer: the draining child leaves the scoreboard first.
        else this.#detach(draining);
      }
    }
  }

  #checkHeartbeats(processes: readonly ProcessSnapshot[]): void {
    const limit = this.#config.heartbeatTimeout;
    if (limit <= 0) return;
    const now = Date.now();
    for (const record of processes) {
      const child = this.#children.inSlot(record.slot);
      if (!child || child.killing || !child.ready || record.pid !== child.pid) continue;
      if (now - record.heartbeat > limit) void this.#diagnoseAndKill(child, now - record.heartbeat);
    }
  }

  async #diagnoseAndKill(child: ChildRecord, ageMs: number): Promise<void> {
    child.killing = true;
    const where = {
      slot: child.slot,
      childPid: child.pid,
      generation: child.generation,
      heartbeatAgeMs: ageMs,
    };
    if (this.#config.hungChildStack)
      await readHungStack(this.scoreboard, child.slot, child.pid, this.#log.child(where));
    else
      this.#log.error(where, "a child's event loop is stuck: killing it (hungChildStack is off: no stack)");
    this.#children.signal(child, "SIGKILL");
  }

  // --- children ---------------------------------------------------------------------------------

  #spawn(slot: number): void {
    const scoreboard = this.scoreboard;
    const config = this.#config;
    scoreboard.master.prepareSlot(slot, this.#generation, config.workersPerChild, Date.now());
    const spec = childSpec(config, {
      slot,
      generation: this.#generation,
      restart: this.#restartKind,
      scoreboard: scoreboard.path,
      listeners: this.#listeners,
      resources: this.#hooks?.resources.specs() ?? [],
    });
    try {
      this.#children.spawn(
        spec,
        this.#listeners.map((listener) => listener.fd),
        {
          // One accept per wake-up, then yield: every child sharing the listener gets its share of a
          // burst of connections, instead of the first to wake taking them all (measured in
          // docs/benchmarks.md). An operator's own setting wins.
          UV_TCP_SINGLE_ACCEPT: "1",
          ...process.env,
          DROVER_LOG_LEVEL: config.logLevel,
        },
        childExecArgv(),
      );
      scoreboard.master.countChild("started");
    } catch (error) {
      this.#forkBackoffUntil = Date.now() + FORK_BACKOFF_MS;
      this.#log.error(
        { err: error, slot },
        `could not fork a child; trying again in ${FORK_BACKOFF_MS / 1000} s`,
      );
      scoreboard.master.reclaimSlot(slot);
    }
  }

  #freeSlots(): number[] {
    const free: number[] = [];
    for (let slot = 0; slot < this.#config.daemonsLimit; slot++)
      if (!this.#children.inSlot(slot)) free.push(slot);
    return free;
  }

  #kill(child: ChildRecord): void {
    child.killing = true;
    this.#children.signal(child, "SIGTERM");
    setTimeout(() => this.#children.signal(child, "SIGKILL"), KILL_GRACE_MS).unref();
  }

  /** SIGTERM to every child, SIGKILL to those left after a grace period; resolves once all are gone. */
  async #killAll(): Promise<void> {
    for (const child of this.#children.all()) this.#kill(child);
    await this.#waitForChildren(KILL_GRACE_MS * 2);
  }

  /** Resolves true once every child is gone, false after `timeoutMs` or when a hard stop hurries it. */
  #waitForChildren(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const deadline = Date.now() + timeoutMs;
      let hurried = false;
      this.#hurry = () => {
        hurried = true;
      };
      const check = () => {
        if (this.#children.size === 0) resolve(true);
        else if (hurried || Date.now() > deadline) resolve(false);
        else setTimeout(check, 20);
      };
      check();
    });
  }

  // --- listeners, files, signals ----------------------------------------------------------------

  /** Lets children that drop privileges still write their records. */
  #shareWithChildren(path: string): void {
    const { user, group } = this.#config;
    if (user || group) chownSync(path, user?.id ?? -1, group?.id ?? -1);
  }

  async #fromSignal(restart: () => Promise<unknown>): Promise<void> {
    try {
      await restart();
    } catch (error) {
      this.#log.error({ err: error }, (error as Error).message);
    }
  }

  #refuseUnlessRunning(command: string): void {
    if (this.#state !== "running") {
      throw new DroverError(
        ErrorCode.STOPPING,
        `cannot ${command} now: the master is ${this.#state}; try again when it is running`,
      );
    }
  }
}
