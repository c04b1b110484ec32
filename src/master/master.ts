// The master: reads the config, binds the listeners, keeps the scoreboard, and supervises the pool of
// children by generations. It never accepts a connection itself. This class only wires the parts and
// says in which order things happen:
//
//   lifecycle.ts    one queue of operations (start, reload, restart) that a stop aborts
//   generations/    the first start, graceful and hard restarts, and how a failed one is undone; the
//                   modules each generation loads
//   pool/           the children together: started, replaced, retired, the crash-loop backoff, and
//                   the once-a-second maintenance pass (monitor hooks, watchdog, spare-worker band)
//   children/       one child: its handle and phase, its spec, the table, how an exit is judged
//                   (exits.ts), the heartbeat watchdog and hung-child reports
//   run/            the run directory, pid lock, listeners and janitor, and the stop
//   control/        the control socket: protocol, server, connections, the CLI's client
//   health/         what /livez and /readyz answer, and the listener they are answered on
//   commands.ts, signals.ts   what a control request and a signal ask the master to do
// systemd (src/systemd/) hears of the start, reloads and the stop; its passed sockets are served.

import { type ResolvedConfig, resolveConfig } from "../config/index.ts";
import type { DroverConfig } from "../config/types.ts";
import { Dispatch } from "../dispatch/dispatch.ts";
import { DroneSpawner } from "../dispatch/drone-spawner.ts";
import { DroverError, ErrorCode, isDroverError } from "../errors.ts";
import { createLogger, type Logger } from "../log/logger.ts";
import type { Scoreboard } from "../scoreboard/index.ts";
import { type Activation, takePassedSockets } from "../systemd/activation.ts";
import { SystemdNotifier } from "../systemd/notifier.ts";
import { type NotifyEnvironment, takeNotifyEnvironment } from "../systemd/notify-environment.ts";
import { Watchdog } from "./children/watchdog.ts";
import { runCommand } from "./commands.ts";
import { Generations, type RestartResult } from "./generations/generations.ts";
import { ModuleHost } from "./generations/module-host.ts";
import { MasterHealth } from "./health/health.ts";
import { Lifecycle } from "./lifecycle.ts";
import { MaintenancePass } from "./pool/maintenance-pass.ts";
import { Pool } from "./pool/pool.ts";
import { freshSpawnState } from "./pool/spawn-state.ts";
import { MasterRun } from "./run/run.ts";
import type { RunFiles } from "./run/run-files.ts";
import type { SignalAction } from "./signals.ts";
import { type Successor, startSuccessor } from "./upgrade/successor.ts";
import { takeUpgradeOrigin, type UpgradeOrigin } from "./upgrade/upgrade-env.ts";

// Beyond its hooks' and children's own deadlines, how long a new master has to serve on an upgrade.
const UPGRADE_SLACK_MS = 10_000;

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

export class Master {
  readonly #config: ResolvedConfig;
  readonly #log: Logger;
  readonly #lifecycle = new Lifecycle();
  readonly #run: MasterRun;
  readonly #pool: Pool;
  readonly #generations: Generations;
  readonly #maintenance: MaintenancePass;
  readonly #modules: ModuleHost;
  readonly #dispatch: Dispatch;
  readonly #health: MasterHealth;
  readonly #systemd: SystemdNotifier;

  private constructor(
    options: MasterOptions,
    config: ResolvedConfig,
    log: Logger,
    systemd: { notify: NotifyEnvironment; activation: Activation },
    upgrade: UpgradeOrigin | undefined,
  ) {
    this.#config = config;
    this.#log = log;
    this.#systemd = new SystemdNotifier(systemd.notify, log);
    this.#health = new MasterHealth({
      lifecycle: this.#lifecycle,
      serving: () => this.#generations.serving,
      children: () => this.#pool.table.all(),
      lastPass: () => this.#maintenance.last,
    });
    const spawnState = freshSpawnState();
    this.#run = new MasterRun(config, log, this.#lifecycle, {
      act: (action, signal) => this.#act(action, signal),
      control: (request) => runCommand(this, request),
      pool: () => this.#pool,
      listeners: () => this.#generations.serving?.listeners ?? [],
      modules: () => this.#modules,
      config: () => this.config,
      quiet: () => this.#maintenance.stop(),
      dispatch: () => this.#dispatch,
      passed: systemd.activation.sockets,
      health: this.#health,
      upgrade,
    });
    const scoreboard = () => this.#run.scoreboardIfOpen;
    this.#modules = new ModuleHost(log, { runId: this.#run.files.id }, this.#lifecycle.signal);
    this.#pool = new Pool({
      scoreboard,
      modules: this.#modules,
      generations: () => this.#generations,
      stopping: () => this.#lifecycle.stopping,
      spawnState,
      log,
      fatal: (reason) => this.#run.fatal(reason, () => this.stop()),
      drones: () => this.#dispatch,
    });
    this.#dispatch = new Dispatch({
      spawner: new DroneSpawner({
        table: this.#pool.table,
        generations: () => this.#generations,
        scoreboard,
        log,
        stopping: () => this.#lifecycle.stopping,
      }),
      scoreboard,
      stopping: () => this.#lifecycle.stopping,
      log,
      promoted: (services) => this.#run.servers.serveNats(services),
    });
    this.#generations = new Generations({
      source: { cwd: options.cwd, file: options.configFile, flags: options.flags },
      modules: this.#modules,
      pool: this.#pool,
      dispatch: this.#dispatch,
      scoreboard: () => this.scoreboard,
      spawnState,
      log,
      adopted: () => this.#run.adopted,
    });
    const watchdog = new Watchdog({ table: this.#pool.table, log, config: () => this.config, scoreboard });
    this.#maintenance = new MaintenancePass({
      pool: this.#pool,
      generations: this.#generations,
      modules: this.#modules,
      dispatch: this.#dispatch,
      watchdog,
      scoreboard: () => this.scoreboard,
      spawnState,
      log,
    });
  }

  /**
   * Reads and checks the config, binds the listeners, creates the scoreboard and starts the first
   * generation; resolves once every child of it is ready. Throws (having left nothing behind) when the
   * config is bad, a listener cannot be bound, or no child can initialise.
   */
  static async start(options: MasterOptions = {}): Promise<Master> {
    // First: an upgrade's sockets are then taken as socket activation's are.
    const upgrade = takeUpgradeOrigin();
    try {
      const master = await Master.#start(options, upgrade);
      upgrade?.report({ ready: true, pid: process.pid, generation: master.generation });
      return master;
    } catch (error) {
      const code = isDroverError(error) ? error.code : undefined;
      upgrade?.report({ ready: false, error: (error as Error).message, ...(code ? { code } : {}) });
      throw error;
    }
  }

  static async #start(options: MasterOptions, upgrade: UpgradeOrigin | undefined): Promise<Master> {
    // systemd's variables are this process's alone: taken out before the config's code or any child runs.
    const systemd = { notify: takeNotifyEnvironment(), activation: takePassedSockets() };
    const { config, warnings } = await resolveConfig({
      cwd: options.cwd,
      file: options.configFile,
      flags: options.flags,
    });
    const log = options.log ?? createLogger(config.logLevel, { role: "master" });
    for (const warning of [...warnings, ...systemd.activation.notes]) log.warn(warning);
    const master = new Master(options, config, log, systemd, upgrade);
    const health = master.#health;
    master.#systemd.start({ summary: () => health.summary(), alive: () => health.liveness().ok });
    void master.exited.then(() => master.#systemd.close());
    try {
      await master.#lifecycle.enqueue("start", async (signal) => {
        const listeners = await master.#run.open(signal);
        await master.#generations.first(config, warnings, listeners, signal);
        if (upgrade) {
          await master.#run.takeOver();
          log.info(
            { from: upgrade.from },
            `upgrade: this master serves and took over from master ${upgrade.from}`,
          );
        }
      });
    } catch (error) {
      // Stopped on purpose while it started (a signal): no failure, exit 0.
      const asked = isDroverError(error, ErrorCode.STOPPING);
      const stopped = master.#run.shutDown({ graceful: false }, asked ? 0 : 1);
      master.#systemd.stopping();
      await stopped;
      throw error;
    }
    master.#lifecycle.running();
    master.#maintenance.start();
    master.#systemd.ready();
    log.info(
      {
        generation: master.generation,
        listen: master.addresses,
        children: master.#pool.table.all().filter((child) => !child.drone).length,
        drones: master.#pool.table.all().filter((child) => child.drone).length,
      },
      "drover configured: resuming normal operations",
    );
    return master;
  }

  /** Resolves with the master's exit code once it has stopped and cleaned up. */
  get exited(): Promise<number> {
    return this.#run.exited;
  }

  /** The config of the generation serving now. */
  get config(): ResolvedConfig {
    return this.#generations.serving?.config ?? this.#config;
  }

  get generation(): number {
    return this.#generations.serving?.number ?? 0;
  }

  get files(): RunFiles {
    return this.#run.files;
  }

  /** The addresses listened on, with real ports. */
  get addresses(): string[] {
    return (this.#generations.serving?.listeners ?? []).map((listener) => listener.address);
  }

  get scoreboard(): Scoreboard {
    const scoreboard = this.#run.scoreboardIfOpen;
    if (!scoreboard) throw new DroverError(ErrorCode.NOT_RUNNING, "the master is not running");
    return scoreboard;
  }

  /**
   * Graceful restart: re-reads the config and starts generation N+1; once all its children are ready,
   * generation N stops accepting and finishes its requests. If the config is bad or the new children
   * fail, generation N keeps serving and this rejects with the reason. A reload asked while another
   * waits to run joins it: both callers get the generation that applied the config read last.
   */
  async reload(): Promise<RestartResult> {
    const running = this.#lifecycle.busy;
    if (running) {
      this.#log.info(
        { running },
        `a reload was asked while a ${running} runs: it runs once that is done, with the config as it is then`,
      );
    }
    return this.#restartBy("reload");
  }

  /**
   * Upgrades drover itself: starts a new master from the code installed now, on this one's sockets;
   * once it serves, this one stops gracefully (its children finish their requests) and exits. If the
   * new master fails, it is stopped and this one serves on; this rejects with UPGRADE_FAILED.
   */
  async upgrade(): Promise<Successor> {
    let successor: Successor;
    try {
      successor = await this.#lifecycle.enqueue("upgrade", (signal) => {
        const { hookTimeout, childStartTimeout } = this.config;
        this.#log.info("upgrade: starting a new master from the installed code");
        return startSuccessor({
          listeners: this.#generations.serving?.listeners ?? [],
          env: this.#systemd.environment,
          timeoutMs: 3 * hookTimeout + childStartTimeout + UPGRADE_SLACK_MS,
          signal,
        });
      });
    } catch (error) {
      if (!this.#lifecycle.stopping) this.#log.error({ err: error }, (error as Error).message);
      throw error;
    }
    this.#log.info(
      { pid: successor.pid, generation: successor.generation },
      `upgrade: master ${successor.pid} serves; this master stops gracefully`,
    );
    this.#run.handOver();
    this.#systemd.handedOver(successor.pid);
    // After the reply has gone out.
    setImmediate(() => void this.stop({ graceful: true }));
    return successor;
  }

  /** Hard restart: re-reads the config, stops every child at once, starts a new generation. */
  restart(): Promise<RestartResult> {
    return this.#restartBy("restart");
  }

  // Whoever asked (a signal, or a client that may have stopped waiting), a failure is in the log.
  async #restartBy(kind: "reload" | "restart"): Promise<RestartResult> {
    this.#systemd.reloading();
    try {
      const result = await this.#lifecycle.enqueue(kind, (signal) => this.#generations[kind](signal));
      this.#followConfig();
      return result;
    } catch (error) {
      if (!this.#lifecycle.stopping)
        this.#log.error({ err: error }, `${kind} failed: ${(error as Error).message}`);
      throw error;
    } finally {
      this.#systemd.reloaded();
    }
  }

  /**
   * Stops the master: gracefully (children finish their requests first) or at once. A stop aborts a
   * reload or restart in progress; a hard stop during a graceful one hurries it. Resolves with the exit
   * code.
   */
  stop(options: StopOptions = {}): Promise<number> {
    const stopped = this.#run.shutDown(options);
    // After the stop has begun, so that STATUS= says so.
    this.#systemd.stopping();
    return stopped;
  }

  /** How long a stop with `options` takes at the most: the stop's deadlines added up. */
  stopWithin(options: StopOptions = {}): number {
    return this.#run.stopWithin(options);
  }

  // A new generation may map signals differently, or listen on other unix sockets.
  #followConfig(): void {
    this.#run.followSignals(this.config.signals);
    this.#run.watchFiles();
  }

  #act(action: SignalAction, signal: NodeJS.Signals): void {
    if (action === "ignore") {
      this.#log.warn({ signal }, `${signal} means nothing under signals: "${this.config.signals}": ignored`);
    }
    // A failed reload or restart is logged where it fails.
    else if (action === "reload") this.reload().catch(() => {});
    else if (action === "restart") this.restart().catch(() => {});
    else if (action === "upgrade") this.upgrade().catch(() => {});
    // A second TERM (or Ctrl-C) while a graceful stop runs means "now".
    else void this.stop({ graceful: action === "gracefulStop" && !this.#lifecycle.stopping });
  }
}
