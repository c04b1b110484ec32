// The master's parts, made once and handed to each other: which part reads which, and the few calls
// by which they reach the master itself (a signal's action, a control request, the serving config,
// the scoreboard, the stop). master.ts says in which order things happen; this file says who holds
// what. A part made later is reached through a function, called only once everything is made (which
// is why their types are written out: TypeScript cannot infer a type that refers to itself).
import type { ResolvedConfig } from "../config/index.ts";
import { Dispatch } from "../dispatch/dispatch.ts";
import { DroneSpawner } from "../dispatch/drone-spawner.ts";
import type { Logger } from "../log/logger.ts";
import type { Scoreboard } from "../scoreboard/index.ts";
import { Watchdog } from "./children/watchdog.ts";
import type { ControlRequest } from "./control/control-server.ts";
import { Generations } from "./generations/generations.ts";
import { ModuleHost } from "./generations/module-host.ts";
import { MasterHealth } from "./health/health.ts";
import { Lifecycle } from "./lifecycle.ts";
import type { MasterOptions } from "./master.ts";
import { MasterSystemd, type SystemdEnvironment } from "./master-systemd.ts";
import { MaintenancePass } from "./pool/maintenance-pass.ts";
import { Pool } from "./pool/pool.ts";
import { freshSpawnState } from "./pool/spawn-state.ts";
import { MasterRun } from "./run/run.ts";
import type { SignalAction } from "./signals.ts";
import type { UpgradeOrigin } from "./upgrade/upgrade-env.ts";

export interface MasterParts {
  readonly lifecycle: Lifecycle;
  readonly systemd: MasterSystemd;
  readonly health: MasterHealth;
  readonly run: MasterRun;
  readonly modules: ModuleHost;
  readonly pool: Pool;
  readonly dispatch: Dispatch;
  readonly generations: Generations;
  readonly maintenance: MaintenancePass;
}

/** What the parts are made from. */
export interface PartsSource {
  readonly options: MasterOptions;
  /** The config as the start read it. */
  readonly config: ResolvedConfig;
  readonly log: Logger;
  /** systemd's variables, taken out of the environment (see takeSystemdEnvironment). */
  readonly systemd: SystemdEnvironment;
  /** Set when this master was started by `drover upgrade` of another. */
  readonly upgrade: UpgradeOrigin | undefined;
}

/** What the parts ask of the master itself. */
export interface MasterCalls {
  readonly act: (action: SignalAction, signal: NodeJS.Signals) => void;
  readonly control: (request: ControlRequest) => Promise<Record<string, unknown>>;
  /** The config of the generation serving now. */
  readonly config: () => ResolvedConfig;
  /** The scoreboard; NOT_RUNNING once it is closed. */
  readonly scoreboard: () => Scoreboard;
  /** A stop with the default options. */
  readonly stop: () => Promise<number>;
}

export function makeMasterParts(source: PartsSource, master: MasterCalls): MasterParts {
  const { options, config, log } = source;
  const lifecycle = new Lifecycle();
  const systemd = new MasterSystemd(source.systemd, log);
  const health: MasterHealth = new MasterHealth({
    lifecycle,
    serving: () => generations.serving,
    children: () => pool.table.all(),
    lastPass: () => maintenance.last,
  });
  const spawnState = freshSpawnState();
  const run: MasterRun = new MasterRun(config, log, lifecycle, {
    act: master.act,
    control: master.control,
    pool: () => pool,
    listeners: () => generations.serving?.listeners ?? [],
    modules: () => modules,
    config: master.config,
    quiet: () => maintenance.stop(),
    dispatch: () => dispatch,
    passed: systemd.passed,
    health,
    upgrade: source.upgrade,
  });
  const scoreboard = (): Scoreboard | undefined => run.scoreboardIfOpen;
  const modules: ModuleHost = new ModuleHost(log, { runId: run.files.id }, lifecycle.signal);
  const pool: Pool = new Pool({
    scoreboard,
    modules,
    generations: () => generations,
    stopping: () => lifecycle.stopping,
    spawnState,
    log,
    fatal: (reason) => run.fatal(reason, master.stop),
    drones: () => dispatch,
  });
  const dispatch: Dispatch = new Dispatch({
    spawner: new DroneSpawner({
      table: pool.table,
      generations: () => generations,
      scoreboard,
      log,
      stopping: () => lifecycle.stopping,
    }),
    scoreboard,
    stopping: () => lifecycle.stopping,
    log,
    promoted: (services) => run.servers.serveNats(services),
  });
  const generations: Generations = new Generations({
    source: { cwd: options.cwd, file: options.configFile, flags: options.flags },
    modules,
    pool,
    dispatch,
    scoreboard: master.scoreboard,
    spawnState,
    log,
    adopted: () => run.adopted,
  });
  const watchdog = new Watchdog({ table: pool.table, log, config: master.config, scoreboard });
  const maintenance: MaintenancePass = new MaintenancePass({
    pool,
    generations,
    modules,
    dispatch,
    watchdog,
    scoreboard: master.scoreboard,
    spawnState,
    log,
    keepSockets: () => run.servers.keepSockets(),
  });
  return { lifecycle, systemd, health, run, modules, pool, dispatch, generations, maintenance };
}
