// The pool of children: what happens when one is ready, asks to retire, gives its slot up or exits,
// and how children are started, replaced and stopped. Generations decide which generation serves;
// the pool keeps each generation's children alive, judged by classifyExit.
import { DroverError, ErrorCode } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { Scoreboard } from "../../scoreboard/index.ts";
import { type ChildExit, type ChildHandle, where } from "../children/child-handle.ts";
import { ChildTable } from "../children/children.ts";
import { classifyExit } from "../children/exits.ts";
import type { Generation, GenerationLookup } from "../generations/generation.ts";
import { GenerationStart } from "../generations/generation-start.ts";
import type { ModuleHost } from "../generations/module-host.ts";
import { Replacements } from "./replacements.ts";
import { detachAnswerMs, SlotClaims } from "./slots.ts";
import type { SpawnState } from "./spawn-state.ts";
import { Spawner } from "./spawner.ts";

export interface PoolParts {
  /** Undefined once the master has closed it (a child reaped after that has nothing to give back). */
  readonly scoreboard: () => Scoreboard | undefined;
  readonly modules: ModuleHost;
  readonly generations: () => GenerationLookup;
  readonly stopping: () => boolean;
  readonly spawnState: SpawnState;
  readonly log: Logger;
  /** No child of the serving generation can initialise: the master must stop. */
  readonly fatal: (reason: string) => void;
  /** Where a drone's readiness and exit go (the dispatcher). */
  readonly drones: () => DroneEvents;
}

/** What the pool tells the dispatcher about its drones. */
export interface DroneEvents {
  ready(child: ChildHandle): void;
  exited(exit: ChildExit): void;
}

export class Pool {
  readonly table: ChildTable;
  readonly slots: SlotClaims;
  readonly spawner: Spawner;
  readonly #parts: PoolParts;
  readonly #log: Logger;
  // Generation starts waiting for their children to be ready, by generation number.
  readonly #starts = new Map<number, GenerationStart>();
  readonly #replacements: Replacements;
  // Whoever waits for the pool to be empty (a stop, a hard restart).
  readonly #emptied = new Set<() => void>();

  constructor(parts: PoolParts) {
    this.#parts = parts;
    this.#log = parts.log;
    this.table = new ChildTable({
      ready: (child) => (child.drone ? parts.drones().ready(child) : this.#ready(child)),
      // A drone says it wants to retire on its data channel, not here.
      retire: (child, reason) => {
        if (!child.drone) this.#replacements.retire(child, reason);
      },
      detached: (child) => this.#detached(child),
      exit: (exit) => this.#exited(exit),
    });
    this.slots = new SlotClaims(this.table);
    this.spawner = new Spawner({
      table: this.table,
      generations: parts.generations,
      scoreboard: parts.scoreboard,
      log: parts.log,
      stopping: parts.stopping,
    });
    this.#replacements = new Replacements({
      spawner: this.spawner,
      slots: this.slots,
      generations: parts.generations,
      stopping: parts.stopping,
      log: parts.log,
      spawnInto: (slot, generation) => this.spawnInto(slot, generation),
    });
  }

  /**
   * Starts `count` children of `generation` and resolves once all are ready (at once for none: a
   * config of services only). Slots come free ones
   * first, then from children of older generations, which drain and give theirs up. Rejects when a
   * child cannot start, or `signal` is aborted.
   */
  async start(generation: Generation, count: number, signal: AbortSignal): Promise<void> {
    if (count === 0) return;
    const limit = generation.config.daemonsLimit;
    const free = this.slots.free(limit).slice(0, count);
    const takeovers = this.table
      .all()
      .filter((child) => child.generation < generation.number && child.phase !== "killing")
      .filter((child) => this.table.inSlot(child.slot) === child && child.slot < limit)
      // One already handing its slot over does so to another spawn (a recycle's replacement).
      .filter((child) => !this.slots.handingOver(child))
      .sort((a, b) => Number(a.active) - Number(b.active))
      .slice(0, count - free.length);
    if (free.length + takeovers.length === 0) {
      throw new DroverError(
        ErrorCode.SCOREBOARD_BAD_LIMITS,
        "no scoreboard slot for the new generation: every slot is being handed over; raise serverLimit",
      );
    }
    if (takeovers.length > 0) {
      this.#log.warn(
        { children: takeovers.length },
        "no free scoreboard slot for the new generation: old children drain and give theirs up; " +
          "raise serverLimit to start a new generation beside the old one",
      );
    }
    const start = new GenerationStart(generation.number, free.length + takeovers.length, signal);
    this.#starts.set(generation.number, start);
    try {
      // One refusal fails the start: the other forks would only fail the same way.
      for (const slot of free) if (start.pending) this.#spawnFor(start, slot, generation);
      for (const child of takeovers) {
        child.quiesce("generation", generation.config.drainTimeout);
        this.#handOverThen(child, generation, (slot) => {
          if (start.pending) this.#spawnFor(start, slot, generation);
        });
      }
      await start.done;
    } finally {
      this.#starts.delete(generation.number);
    }
  }

  /** Whether spawns for the serving generation wait out a crash loop now. */
  get crashLoop(): boolean {
    return this.#replacements.crashLoop;
  }

  /** Spawns into `slot` (maintenance, or a replacement); a draining child there hands it over first. */
  spawnInto(slot: number, generation: Generation): void {
    const draining = this.table.inSlot(slot);
    if (!draining) {
      this.spawner.spawn(slot, generation);
      return;
    }
    // A child being killed frees its slot when it exits; one already handing over is on its way.
    if (draining.phase !== "draining" || this.slots.handingOver(draining)) return;
    this.#handOverThen(draining, generation, (freed) => {
      // A crash loop that began meanwhile leaves the slot to maintenance.
      if (!this.crashLoop) this.spawner.spawn(freed, generation);
    });
  }

  /** A hard stop of every child; resolves once all are gone (true), or after `timeoutMs` (false). */
  stopAll(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    for (const child of this.table.all()) child.stop("hard-stop");
    return this.whenEmpty(timeoutMs, signal);
  }

  /** Resolves once no child is left (true), after `timeoutMs` (false), or when `signal` aborts (false). */
  whenEmpty(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.table.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (empty: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#emptied.delete(emptied);
        resolve(empty);
      };
      const emptied = () => finish(true);
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#emptied.add(emptied);
    });
  }

  /**
   * Asks the draining `child` to give its slot up (it answers within its own generation's heartbeat
   * limit), then hands the freed slot to `spawn`. The answer may come late (a busy child answers from
   * its event loop): `spawn` checks whether the slot is still wanted.
   */
  #handOverThen(child: ChildHandle, generation: Generation, spawn: (slot: number) => void): void {
    const answerMs = detachAnswerMs((this.#lookup().find(child.generation) ?? generation).config);
    void this.slots.handOver(child, answerMs).then((slot) => {
      if (slot === undefined) return;
      this.slots.release(slot);
      spawn(slot);
    });
  }

  #lookup(): GenerationLookup {
    return this.#parts.generations();
  }

  #spawnFor(start: GenerationStart, slot: number, generation: Generation): void {
    const refused = this.spawner.spawnForStart(slot, generation);
    if (refused) start.fail(`generation ${generation.number}: ${refused}`);
  }

  #ready(child: ChildHandle): void {
    const generation = this.#lookup().find(child.generation);
    if (generation) generation.hadHealthyChild = true;
    this.#starts.get(child.generation)?.ready();
    this.#log.debug({ ...where(child) }, "child ready");
    this.#replacements.up(child);
    this.#childStatus(child, "started");
  }

  #detached(child: ChildHandle): void {
    this.#log.info({ ...where(child) }, "a child still draining gives its scoreboard slot to a new child");
    this.table.releaseSlot(child);
    this.#parts.scoreboard()?.master.reclaimSlot(child.slot);
    this.#childStatus(child, "lost");
    this.slots.freed(child);
  }

  #exited(exit: ChildExit): void {
    const { child, code, signal } = exit;
    this.#parts.modules.childExited(child.pid);
    const scoreboard = this.#parts.scoreboard();
    if (exit.ownedSlot) scoreboard?.master.reclaimSlot(child.slot);
    if (child.drone) {
      this.#parts.drones().exited(exit);
      this.#emptiedCheck();
      return;
    }
    this.slots.freed(child);
    this.#replacements.up(child);
    this.#childStatus(child, "exited");
    const lookup = this.#lookup();
    const verdict = classifyExit({
      code,
      signal,
      phase: exit.phase,
      plan: child.plan,
      retiring: child.retiring,
      wasReady: child.wasReady,
      generation: lookup.role(child.generation),
      hadHealthyChild: lookup.find(child.generation)?.hadHealthyChild ?? false,
      stopping: this.#parts.stopping(),
    });
    if (verdict.failed) scoreboard?.master.countChild("failed");
    if (verdict.failed && lookup.role(child.generation) === "serving") this.#replacements.failed(child);
    const reason = child.fatalReason;
    this.#log[verdict.level](
      { ...where(child), code, signal, ...(reason ? { reason } : {}) },
      verdict.message,
    );
    switch (verdict.action) {
      case "replace":
        this.#replacements.replaceCrashed(child);
        break;
      case "slow-spawn":
        this.#parts.spawnState.idleSpawnRate = 1;
        break;
      case "fail-start":
        this.#starts
          .get(child.generation)
          ?.fail(
            `a child of generation ${child.generation} ${verdict.message.replace(/^a child /, "")}` +
              (reason ? `: ${reason}` : ` (code ${code}, signal ${signal})`),
          );
        break;
      case "stop-master":
        this.#parts.fatal(`${verdict.message}: ${reason ?? `code ${code}, signal ${signal}`}`);
        break;
    }
    this.#emptiedCheck();
  }

  #emptiedCheck(): void {
    if (this.table.size === 0) for (const emptied of this.#emptied) emptied();
  }

  #childStatus(child: ChildHandle, status: "started" | "exited" | "lost"): void {
    const serving = this.#lookup().serving;
    if (serving) void this.#parts.modules.childStatus(serving.modules, child, status);
  }
}
