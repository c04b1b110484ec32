// The once-a-second pass over the pool, as the worker MPM's perform_idle_server_maintenance: the
// modules' monitor hooks, the watchdog, then the idle-worker decision (maintenance.ts) applied to the
// serving generation. It runs throughout a reload: the generation serving is watched and kept whole
// while the next one starts.
import type { Dispatch } from "../../dispatch/dispatch.ts";
import type { Logger } from "../../log/logger.ts";
import type { Scoreboard, ScoreboardSnapshot } from "../../scoreboard/index.ts";
import { where } from "../children/child-handle.ts";
import type { Watchdog } from "../children/watchdog.ts";
import type { Generations } from "../generations/generations.ts";
import type { ModuleHost } from "../generations/module-host.ts";
import { performIdleMaintenance, type SlotView } from "./maintenance.ts";
import type { Pool } from "./pool.ts";
import type { SpawnState } from "./spawn-state.ts";

const MAINTENANCE_MS = 1_000;

export interface MaintenanceParts {
  readonly pool: Pool;
  readonly generations: Generations;
  readonly modules: ModuleHost;
  readonly dispatch: Dispatch;
  readonly watchdog: Watchdog;
  readonly scoreboard: () => Scoreboard;
  readonly spawnState: SpawnState;
  readonly log: Logger;
  /** The run directory's sockets listened on again if someone removed them. */
  readonly keepSockets: () => void;
}

/** When the pass last ran, and the master's counters it read then (for health and systemd's STATUS=). */
export interface LastPass {
  readonly at: number;
  readonly counters: ScoreboardSnapshot["counters"] | undefined;
}

export class MaintenancePass {
  readonly #parts: MaintenanceParts;
  #timer: NodeJS.Timeout | undefined;
  #last: LastPass | undefined;

  constructor(parts: MaintenanceParts) {
    this.#parts = parts;
  }

  start(): void {
    // Counted from here: a pass that never comes is as stale as one that stopped coming.
    this.#last ??= { at: Date.now(), counters: undefined };
    this.#timer ??= setInterval(() => this.run(), MAINTENANCE_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Undefined until started. A pass that has not run for long means the master's loop is stuck. */
  get last(): LastPass | undefined {
    return this.#last;
  }

  run(): void {
    const { pool, log, spawnState } = this.#parts;
    const serving = this.#parts.generations.supervised;
    // A hard restart has no generation to look after, but the pass still runs.
    this.#last = { at: Date.now(), counters: this.#last?.counters };
    this.#parts.keepSockets();
    if (!serving) return;
    const { config } = serving;
    void this.#parts.modules.monitor(serving.modules);
    const scoreboard = this.#parts.scoreboard();
    const snapshot = scoreboard.snapshot();
    this.#last = { at: this.#last.at, counters: snapshot.counters };
    this.#parts.watchdog.check(snapshot);
    this.#parts.dispatch.maintain();
    // A config of services only has no children to keep.
    if (config.app === undefined) return;
    const records = new Map(snapshot.processes.map((record) => [record.slot, record]));
    const views: SlotView[] = [];
    for (let slot = 0; slot < config.daemonsLimit; slot++) {
      const child = pool.table.inSlot(slot);
      const record = records.get(slot);
      const handedOver = pool.slots.isReserved(slot);
      views.push({
        slot,
        occupied: handedOver || (child !== undefined && child.phase !== "killing"),
        quiescing: handedOver || child === undefined || !child.active || (record?.quiescing ?? false),
        generation: child?.generation ?? -1,
        workers: record?.workers.map((worker) => worker.state) ?? [],
      });
    }
    const { decision, messages } = performIdleMaintenance(
      views,
      { ...config, generation: serving.number, minChildren: config.startServers },
      spawnState,
    );
    for (const message of messages) log[message.level](message.text);
    scoreboard.master.setSpawnRate(spawnState.idleSpawnRate);
    if (decision.kind === "retire") {
      const child = pool.table.inSlot(decision.slot);
      if (!child) return;
      log.debug({ ...where(child), idle: decision.idle }, "too many idle workers: retiring a child");
      child.quiesce("idle", config.drainTimeout);
    } else if (decision.kind === "spawn" && !pool.spawner.backingOff && !pool.crashLoop) {
      for (const slot of decision.slots) pool.spawnInto(slot, serving);
    }
  }
}
