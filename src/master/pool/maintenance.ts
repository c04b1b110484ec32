// Idle server maintenance, once a second, as the worker MPM does it: count the idle worker slots of
// the serving generation; above maxSpareWorkers retire one child; below minSpareWorkers spawn children
// at a rate that doubles each pass (up to MAX_SPAWN_RATE) while that is not enough, and resets once it
// is. Unlike the seed, the pool never has fewer than startServers children of the serving generation:
// in Node a child is a CPU's worth of capacity, not a handful of threads, so a crash must not leave
// the pool smaller. The decision is a pure function of what the scoreboard shows, so it can be tested
// on its own.
import { WorkerState } from "../../scoreboard/index.ts";
import type { SpawnState } from "./spawn-state.ts";

export const MAX_SPAWN_RATE = 32;
/** Passes without doubling after a graceful restart, while the new generation starts. */
export const HOLD_OFF_AFTER_GRACEFUL = 10;

/** One child slot as maintenance sees it. */
export interface SlotView {
  readonly slot: number;
  /** A live child owns the slot. */
  readonly occupied: boolean;
  /** Its child takes no new connection (draining, retiring, or of an old generation). */
  readonly quiescing: boolean;
  readonly generation: number;
  /** The states of the child's worker slots (workersPerChild of them). */
  readonly workers: ArrayLike<number>;
}

export interface MaintenanceLimits {
  readonly generation: number;
  readonly daemonsLimit: number;
  readonly workersPerChild: number;
  readonly minSpareWorkers: number;
  readonly maxSpareWorkers: number;
  /** The fewest children of the serving generation to keep (startServers). */
  readonly minChildren: number;
}

export type MaintenanceDecision =
  /** Retire this child gracefully (the pipe of death). */
  | { readonly kind: "retire"; readonly slot: number; readonly idle: number }
  /** Spawn children into these slots, best first. */
  | { readonly kind: "spawn"; readonly slots: readonly number[]; readonly idle: number }
  | { readonly kind: "steady"; readonly idle: number };

export interface MaintenanceMessage {
  readonly level: "info" | "warn" | "error";
  readonly text: string;
}

/**
 * One pass. Mutates `memory` as the seed mutates its retained data, and returns the decision and the
 * operator messages to log.
 */
export function performIdleMaintenance(
  slots: readonly SlotView[],
  limits: MaintenanceLimits,
  memory: SpawnState,
): { decision: MaintenanceDecision; messages: MaintenanceMessage[] } {
  const messages: MaintenanceMessage[] = [];
  let idle = 0;
  let active = 0;
  // Children of the serving generation that take connections (or are starting to).
  let children = 0;
  let totalNonDead = 0;
  // Free slots, best first: wholly empty ones before those whose child is still draining.
  const emptySlots: number[] = [];
  const drainingSlots: number[] = [];
  // The idlest child of this generation, to retire when there are too many idle slots.
  let retireSlot = -1;
  let retireIdle = -1;

  for (const view of slots.slice(0, limits.daemonsLimit)) {
    let childIdle = 0;
    let childActive = 0;
    let anyGraceful = false;
    if (view.occupied) {
      for (let w = 0; w < limits.workersPerChild; w++) {
        const state = view.workers[w] ?? WorkerState.Dead;
        if (state === WorkerState.Graceful) anyGraceful = true;
        // A starting worker counts as idle: it was started at least a pass ago, and forking more
        // while it finishes would only swamp the machine.
        if (state <= WorkerState.Ready) childIdle++;
        if (state >= WorkerState.Ready && state < WorkerState.Graceful) childActive++;
      }
      if (!view.quiescing && view.generation === limits.generation) {
        children++;
        idle += childIdle;
        if (childIdle > retireIdle || (childIdle === retireIdle && view.slot > retireSlot)) {
          retireSlot = view.slot;
          retireIdle = childIdle;
        }
      }
      active += childActive;
    }
    if (!view.occupied) emptySlots.push(view.slot);
    else if (view.quiescing) {
      // As the seed: a draining child's slot is offered only once one of its workers is done.
      if (childIdle > 0) drainingSlots.push(view.slot);
    }
    if (view.occupied && !anyGraceful) totalNonDead++;
  }

  const missing = limits.minChildren - children;
  if (idle > limits.maxSpareWorkers && retireSlot >= 0 && missing < 0) {
    memory.idleSpawnRate = 1;
    return { decision: { kind: "retire", slot: retireSlot, idle }, messages };
  }
  if (idle >= limits.minSpareWorkers && missing <= 0) {
    memory.idleSpawnRate = 1;
    return { decision: { kind: "steady", idle }, messages };
  }

  const free = [...emptySlots, ...drainingSlots];
  if (free.length > 0) memory.scoreboardFullReported = false;
  if (free.length === 0) {
    if (active >= limits.daemonsLimit * limits.workersPerChild) {
      if (idle === 0) {
        if (!memory.maxRequestWorkersReported) {
          messages.push({
            level: "error",
            text: "the server reached maxRequestWorkers: every worker slot is busy; consider raising maxRequestWorkers",
          });
          memory.maxRequestWorkersReported = true;
        }
      } else if (!memory.nearMaxRequestWorkersReported) {
        messages.push({
          level: "error",
          text: "the server is within minSpareWorkers of maxRequestWorkers; consider raising maxRequestWorkers",
        });
        memory.nearMaxRequestWorkersReported = true;
      }
    } else if (!memory.scoreboardFullReported) {
      // Draining children hold the other slots; it passes as they leave (Apache logs this at debug).
      messages.push({
        level: "warn",
        text: "the scoreboard is full, though maxRequestWorkers is not reached: draining children hold the other slots; raise serverLimit to leave room",
      });
      memory.scoreboardFullReported = true;
    }
    memory.idleSpawnRate = 1;
    return { decision: { kind: "steady", idle }, messages };
  }
  memory.scoreboardFullReported = false;

  // Enough idle workers, but fewer children than startServers (one crashed): only the missing ones.
  if (idle >= limits.minSpareWorkers) {
    return { decision: { kind: "spawn", slots: free.slice(0, missing), idle }, messages };
  }
  // Below startServers children, at least the missing ones are spawned this pass, whatever the rate.
  const spawn = free.slice(0, Math.max(missing, Math.min(memory.idleSpawnRate, MAX_SPAWN_RATE)));
  if (memory.idleSpawnRate >= 8) {
    messages.push({
      level: "info",
      text:
        `the server seems busy (you may need to raise startServers, workersPerChild or min/maxSpareWorkers): ` +
        `spawning ${spawn.length} children; there are about ${idle} idle worker slots and ${totalNonDead} children`,
    });
  }
  // Next pass spawns twice as many if this was not enough, except just after a graceful restart.
  if (memory.holdOffOnExponentialSpawning > 0) memory.holdOffOnExponentialSpawning--;
  else if (memory.idleSpawnRate < MAX_SPAWN_RATE) memory.idleSpawnRate *= 2;
  return { decision: { kind: "spawn", slots: spawn, idle }, messages };
}
