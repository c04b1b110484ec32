// The master: reads the config, binds the listeners, keeps the scoreboard, and supervises the pool of
// children by generations. It never accepts a connection itself. This class says in which order things
// happen; the parts it drives are made and handed to each other in master-parts.ts:
//
//   lifecycle.ts    one queue of operations (start, reload, restart, upgrade) that a stop aborts
//   generations/    the first start, graceful and hard restarts, and how a failed one is undone; the
//                   modules each generation loads
//   pool/           the children together: started, replaced, retired, the crash-loop backoff, and
//                   the once-a-second maintenance pass (monitor hooks, watchdog, spare-worker band)
//   children/       one child: its handle and phase, its spec, the table, how an exit is judged
//                   (exits.ts), the heartbeat watchdog and hung-child reports
//   run/            the run directory and pid lock, the listeners, the sockets the master answers on
//                   itself (control, services, health, NATS), the janitor, and the stop
//   control/        the control socket: protocol, server, connections, the CLI's client
//   health/         what /livez and /readyz answer, and the listener they are answered on
//   upgrade/        `drover upgrade`: the old master starts a new one on its sockets and hands over;
//                   the new one says how its start went and takes the run files over
//   master-systemd.ts   what systemd passes the master and hears of its start, reloads and stop
//   commands.ts, signals.ts   what a control request and a signal ask the master to do

import { type ResolvedConfig, resolveConfig } from "../config/index.ts";
import type { DroverConfig } from "../config/types/drover-config.ts";
import { DroverError, ErrorCode, isDroverError } from "../errors.ts";
import { createLogger, type Logger } from "../log/logger.ts";
import type { Scoreboard } from "../scoreboard/index.ts";
import { runCommand } from "./commands.ts";
import type { RestartResult } from "./generations/generations.ts";
import { type MasterParts, makeMasterParts } from "./master-parts.ts";
import { type SystemdEnvironment, takeSystemdEnvironment } from "./master-systemd.ts";
import type { RunFiles } from "./run/run-files.ts";
import type { SignalAction } from "./signals.ts";
import { upgradeTo } from "./upgrade/hand-over.ts";
import type { Successor } from "./upgrade/successor.ts";
import { reportStart, takeOverFrom } from "./upgrade/take-over.ts";
import { takeUpgradeOrigin, type UpgradeOrigin } from "./upgrade/upgrade-env.ts";

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
  readonly #parts: MasterParts;

  private constructor(
    options: MasterOptions,
    config: ResolvedConfig,
    log: Logger,
    systemd: SystemdEnvironment,
    upgrade: UpgradeOrigin | undefined,
  ) {
    this.#config = config;
    this.#log = log;
    this.#parts = makeMasterParts(
      { options, config, log, systemd, upgrade },
      {
        act: (action, signal) => this.#act(action, signal),
        control: (request) => runCommand(this, request),
        config: () => this.config,
        scoreboard: () => this.scoreboard,
        stop: () => this.stop(),
      },
    );
  }

  /**
   * Reads and checks the config, binds the listeners, creates the scoreboard and starts the first
   * generation; resolves once every child of it is ready. Throws (having left nothing behind) when the
   * config is bad, a listener cannot be bound, or no child can initialise.
   */
  static async start(options: MasterOptions = {}): Promise<Master> {
    // First: an upgrade's sockets are then taken as socket activation's are.
    const upgrade = takeUpgradeOrigin();
    return reportStart(upgrade, () => Master.#start(options, upgrade));
  }

  static async #start(options: MasterOptions, upgrade: UpgradeOrigin | undefined): Promise<Master> {
    // Before the config's code or any child runs.
    const systemd = takeSystemdEnvironment();
    const { config, warnings, file } = await resolveConfig({
      cwd: options.cwd,
      file: options.configFile,
      flags: options.flags,
    });
    const log = options.log ?? createLogger(config.logLevel, { role: "master" });
    for (const warning of warnings) log.warn(warning);
    // A reload reads the file this start read: if it is gone, the reload says so (not that the
    // defaults lack an app).
    const master = new Master({ ...options, configFile: file }, config, log, systemd, upgrade);
    const { lifecycle, run, generations, pool } = master.#parts;
    master.#parts.systemd.follow(master.#parts.health, master.exited);
    try {
      await lifecycle.enqueue("start", async (signal) => {
        const listeners = await run.open(signal);
        await generations.first(config, warnings, listeners, signal);
        if (upgrade) await takeOverFrom(upgrade, run, log);
      });
    } catch (error) {
      // Stopped on purpose while it started (a signal): no failure, exit 0.
      const asked = isDroverError(error, ErrorCode.STOPPING);
      await master.#shutDown({ graceful: false }, asked ? 0 : 1);
      throw error;
    }
    lifecycle.running();
    master.#parts.maintenance.start();
    master.#parts.systemd.ready();
    log.info(
      {
        generation: master.generation,
        listen: master.addresses,
        children: pool.table.all().filter((child) => !child.drone).length,
        drones: pool.table.all().filter((child) => child.drone).length,
      },
      "drover configured: resuming normal operations",
    );
    return master;
  }

  /** Resolves with the master's exit code once it has stopped and cleaned up. */
  get exited(): Promise<number> {
    return this.#parts.run.exited;
  }

  /** The config of the generation serving now. */
  get config(): ResolvedConfig {
    return this.#parts.generations.serving?.config ?? this.#config;
  }

  get generation(): number {
    return this.#parts.generations.serving?.number ?? 0;
  }

  get files(): RunFiles {
    return this.#parts.run.files;
  }

  /** The addresses listened on, with real ports. */
  get addresses(): string[] {
    return (this.#parts.generations.serving?.listeners ?? []).map((listener) => listener.address);
  }

  get scoreboard(): Scoreboard {
    const scoreboard = this.#parts.run.scoreboardIfOpen;
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
    const running = this.#parts.lifecycle.busy;
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
  upgrade(): Promise<Successor> {
    const config = () => this.config;
    return upgradeTo({ ...this.#parts, log: this.#log, config, stop: (options) => this.stop(options) });
  }

  /** Hard restart: re-reads the config, stops every child at once, starts a new generation. */
  restart(): Promise<RestartResult> {
    return this.#restartBy("restart");
  }

  // Whoever asked (a signal, or a client that may have stopped waiting), a failure is in the log.
  #restartBy(kind: "reload" | "restart"): Promise<RestartResult> {
    const { lifecycle, generations } = this.#parts;
    return this.#parts.systemd.reloading(async () => {
      // Logged and counted once per run: callers asking while one waits join it (lifecycle.ts).
      const result = await lifecycle.enqueue(kind, async (signal) => {
        try {
          return await generations[kind](signal);
        } catch (error) {
          if (!signal.aborted) {
            this.#log.error({ err: error }, `${kind} failed: ${(error as Error).message}`);
            // drover status, the status page and /metrics count it, so that a failed deploy shows.
            this.#parts.run.scoreboardIfOpen?.master.restartFailed(Date.now());
          }
          throw error;
        }
      });
      this.#followConfig();
      return result;
    });
  }

  /**
   * Stops the master: gracefully (children finish their requests first) or at once. A stop aborts a
   * reload or restart in progress; a hard stop during a graceful one hurries it. Resolves with the exit
   * code.
   */
  stop(options: StopOptions = {}): Promise<number> {
    return this.#shutDown(options);
  }

  /** How long a stop with `options` takes at the most: the stop's deadlines added up. */
  stopWithin(options: StopOptions = {}): number {
    return this.#parts.run.stopWithin(options);
  }

  #shutDown(options: StopOptions, exitCode?: number): Promise<number> {
    const stopped = this.#parts.run.shutDown(options, exitCode);
    // After the stop has begun, so that STATUS= says so.
    this.#parts.systemd.stopping();
    return stopped;
  }

  // A new generation may map signals differently, or listen on other unix sockets.
  #followConfig(): void {
    this.#parts.run.followSignals(this.config.signals);
    this.#parts.run.watchFiles();
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
    else void this.stop({ graceful: action === "gracefulStop" && !this.#parts.lifecycle.stopping });
  }
}
