// Generations: the first start, graceful restarts (reloads) and hard restarts. A new generation is
// prepared without touching the running one (the config read and checked again, its modules' master
// phases run, its listeners open), then started; only once all its children are ready does it take
// charge, and the old generation drains. If anything fails, the old generation keeps serving: new
// children already serving drain (no request of theirs is lost), those still starting are stopped.
import { type ResolveOptions, resolveConfig } from "../../config/index.ts";
import type { ResolvedConfig } from "../../config/types/resolved-config.ts";
import type { Dispatch } from "../../dispatch/dispatch.ts";
import { DroverError, ErrorCode } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { RestartKind } from "../../modules/context.ts";
import type { Scoreboard } from "../../scoreboard/index.ts";
import { HOLD_OFF_AFTER_GRACEFUL } from "../pool/maintenance.ts";
import type { Pool } from "../pool/pool.ts";
import { freshSpawnState, type SpawnState } from "../pool/spawn-state.ts";
import { closeUnused, type OpenListener, reuseListeners } from "../run/listeners.ts";
import { Generation, type GenerationLookup, type GenerationRole } from "./generation.ts";
import type { ModuleHost } from "./module-host.ts";

// How long a hard restart waits for the old children to exit (a signal, then SIGKILL) before it goes on.
const HARD_RESTART_STOP_MS = 10_000;

export interface GenerationsParts {
  /** Where the config comes from, read again at every restart. */
  readonly source: Omit<ResolveOptions, "previous">;
  readonly modules: ModuleHost;
  readonly pool: Pool;
  /** The dispatch pool's drones, started and promoted with each generation beside the children. */
  readonly dispatch: Dispatch;
  readonly scoreboard: () => Scoreboard;
  readonly spawnState: SpawnState;
  readonly log: Logger;
  /** The listeners systemd passed, which a reload takes again when its config names them. */
  readonly adopted: () => readonly OpenListener[];
}

/** What a reload or restart answers: the generation now serving and the config's adjustments. */
export interface RestartResult {
  readonly generation: number;
  readonly warnings: readonly string[];
}

export class Generations implements GenerationLookup {
  readonly #parts: GenerationsParts;
  #serving: Generation | undefined;
  #starting: Generation | undefined;
  // The serving generation while a hard restart stops its children: out of service, not replenished.
  #halted: Generation | undefined;
  // The highest generation number handed out: numbers are never reused, even after a failed reload.
  #last = -1;

  constructor(parts: GenerationsParts) {
    this.#parts = parts;
  }

  get serving(): Generation | undefined {
    return this.#serving;
  }

  get supervised(): Generation | undefined {
    return this.#serving === this.#halted ? undefined : this.#serving;
  }

  find(number: number): Generation | undefined {
    if (this.#serving?.number === number) return this.#serving;
    return this.#starting?.number === number ? this.#starting : undefined;
  }

  role(number: number): GenerationRole {
    if (this.#starting?.number === number) return "starting";
    return this.supervised?.number === number ? "serving" : "old";
  }

  /** The first generation, of the config the master started with and the listeners it opened. */
  async first(
    config: ResolvedConfig,
    warnings: readonly string[],
    listeners: readonly OpenListener[],
    signal: AbortSignal,
  ): Promise<Generation> {
    const modules = await this.#parts.modules.prepare(config, ++this.#last, "first");
    const next = new Generation({ number: this.#last, kind: "first", config, listeners, modules, warnings });
    this.#starting = next;
    try {
      await this.#startChildren(next, signal);
    } catch (error) {
      this.#rollback(next);
      throw error;
    }
    this.#promote(next);
    return next;
  }

  /** Graceful restart: generation N+1 starts, then N drains. Rejects (N serving on) when N+1 fails. */
  async reload(signal: AbortSignal): Promise<RestartResult> {
    const { log } = this.#parts;
    const previous = this.#current();
    const next = await this.#prepare("graceful", signal);
    log.info({ generation: next.number }, "graceful restart: starting the new generation");
    this.#starting = next;
    try {
      await this.#startChildren(next, signal);
    } catch (error) {
      throw this.#startFailed(
        next,
        error,
        signal,
        `graceful restart failed; generation ${previous.number} keeps serving`,
      );
    }
    const draining = this.#promote(next);
    const state = this.#parts.spawnState;
    state.holdOffOnExponentialSpawning = HOLD_OFF_AFTER_GRACEFUL;
    state.maxRequestWorkersReported = false;
    state.nearMaxRequestWorkersReported = false;
    log.info({ generation: next.number, draining }, "graceful restart done");
    return { generation: next.number, warnings: next.warnings };
  }

  /**
   * Hard restart: the config is read and checked first; then every child stops and N+1 starts. If
   * N+1's children cannot start, N's start again (and if those cannot either, the master stops).
   */
  async restart(signal: AbortSignal): Promise<RestartResult> {
    const { log, pool } = this.#parts;
    const previous = this.#current();
    const next = await this.#prepare("hard", signal);
    log.info({ generation: next.number }, "hard restart: stopping every child");
    // Out of service: neither maintenance nor crash replacement brings N's children back meanwhile.
    this.#halted = previous;
    this.#starting = next;
    try {
      if (!(await pool.stopAll(HARD_RESTART_STOP_MS, signal)) && !signal.aborted) {
        log.warn(
          { children: pool.table.size },
          `hard restart: children still running after ${HARD_RESTART_STOP_MS / 1000} s; starting the new generation beside them`,
        );
      }
      signal.throwIfAborted();
      Object.assign(this.#parts.spawnState, freshSpawnState());
      await this.#startChildren(next, signal);
    } catch (error) {
      this.#halted = undefined;
      // N is judged afresh: if none of its children can initialise now, the master stops.
      if (!signal.aborted) previous.hadHealthyChild = false;
      throw this.#startFailed(
        next,
        error,
        signal,
        `hard restart failed; generation ${previous.number} starts again`,
      );
    }
    this.#halted = undefined;
    this.#promote(next);
    log.info({ generation: next.number }, "hard restart done");
    return { generation: next.number, warnings: next.warnings };
  }

  /**
   * Starts `next`'s children (startServers of them; none for a config of services only) and its
   * services' drones; resolves once all are ready. Both starts settle before a failure is thrown, so
   * the rollback that follows finds every child either has forked.
   */
  async #startChildren(next: Generation, signal: AbortSignal): Promise<void> {
    const children = next.config.app === undefined ? 0 : next.config.startServers;
    const outcomes = await Promise.allSettled([
      this.#parts.pool.start(next, children, signal),
      this.#parts.dispatch.start(next, signal),
    ]);
    for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
  }

  // A start of `next` that failed is undone; a stop's abort passes through, anything else is RELOAD_FAILED.
  #startFailed(next: Generation, error: unknown, signal: AbortSignal, outcome: string): unknown {
    this.#rollback(next);
    if (signal.aborted) return error;
    return new DroverError(ErrorCode.RELOAD_FAILED, `${outcome}: ${(error as Error).message}`, {
      cause: error,
    });
  }

  #current(): Generation {
    if (!this.#serving) throw new DroverError(ErrorCode.NOT_RUNNING, "no generation serves yet");
    return this.#serving;
  }

  /** What the next generation needs, made without touching the running one. */
  async #prepare(kind: RestartKind, signal: AbortSignal): Promise<Generation> {
    const previous = this.#current();
    const { config, warnings } = await resolveConfig({
      ...this.#parts.source,
      previous: previous.config,
      loadWithinMs: previous.config.hookTimeout,
      signal,
    });
    for (const warning of warnings) this.#parts.log.warn(warning);
    const modules = await this.#parts.modules.prepare(config, ++this.#last, kind);
    try {
      signal.throwIfAborted();
      const listeners = await reuseListeners(
        [...previous.listeners, ...this.#parts.adopted()],
        config.listen,
      );
      return new Generation({ number: this.#last, kind, config, listeners, modules, warnings });
    } catch (error) {
      this.#parts.modules.rollback(modules);
      throw error;
    }
  }

  /** `next` takes charge; the children of older generations drain. Returns how many do. */
  #promote(next: Generation): number {
    const old = this.#serving;
    this.#serving = next;
    this.#starting = undefined;
    this.#parts
      .scoreboard()
      .master.setGeneration(next.number, Date.now(), next.kind === "first" ? undefined : next.kind);
    let draining = 0;
    for (const child of this.#parts.pool.table.all()) {
      // Drones leave as the dispatcher lets them: once their calls and sessions are done.
      if (child.generation === next.number || !child.active || child.drone) continue;
      child.quiesce("generation", next.config.drainTimeout);
      draining++;
    }
    this.#parts.dispatch.promote(next);
    if (old) closeUnused(old.listeners, next.listeners);
    this.#parts.modules.commit(next.modules);
    return draining;
  }

  /** `next` never takes charge: its serving children drain, its starting ones stop, its own listeners close. */
  #rollback(next: Generation): void {
    for (const child of this.#parts.pool.table.all()) {
      if (child.generation !== next.number || child.drone) continue;
      if (child.serving) child.quiesce("generation", next.config.drainTimeout);
      else child.stop("generation");
    }
    this.#parts.dispatch.rollback(next);
    closeUnused(next.listeners, this.#serving?.listeners ?? []);
    this.#parts.modules.rollback(next.modules);
    this.#starting = undefined;
  }
}
