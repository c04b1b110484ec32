// Forking one child: its scoreboard slot readied, its spec and environment, the listeners as inherited
// descriptors, and its start deadline (childStartTimeout). A fork the system refuses backs off
// (fork-backoff.ts); once a stop has begun nothing is forked at all.

import type { Logger } from "../../log/logger.ts";
import type { Scoreboard } from "../../scoreboard/index.ts";
import { childEnvironment } from "../children/child-env.ts";
import { childExecArgv } from "../children/child-exec-argv.ts";
import type { ChildHandle } from "../children/child-handle.ts";
import { childSpec, inheritedDescriptors } from "../children/child-spec.ts";
import type { ChildTable } from "../children/children.ts";
import { ForkBackoff, type ForkPurpose } from "../children/fork-backoff.ts";
import type { Generation, GenerationLookup } from "../generations/generation.ts";

export interface SpawnerParts {
  readonly table: ChildTable;
  readonly generations: () => GenerationLookup;
  readonly scoreboard: () => Scoreboard | undefined;
  readonly log: Logger;
  /** True once a stop has begun. */
  readonly stopping: () => boolean;
}

export class Spawner {
  readonly #parts: SpawnerParts;
  readonly #backoff = new ForkBackoff();

  constructor(parts: SpawnerParts) {
    this.#parts = parts;
  }

  /** Whether forks that keep the pool filled are paused after one failed. */
  get backingOff(): boolean {
    return this.#backoff.active;
  }

  /** Forks a child of `generation` into the free `slot`; undefined when it cannot now (stopping, backing off, fork failed). */
  spawn(slot: number, generation: Generation): ChildHandle | undefined {
    const forked = this.#fork(slot, generation, "upkeep");
    return typeof forked === "string" ? undefined : forked;
  }

  /** The same for a generation's start, which does not wait out a backoff: why it could not, if not. */
  spawnForStart(slot: number, generation: Generation): string | undefined {
    const forked = this.#fork(slot, generation, "start");
    return typeof forked === "string" ? forked : undefined;
  }

  // The child, or why none was forked.
  #fork(slot: number, generation: Generation, purpose: ForkPurpose): ChildHandle | string {
    const { table, log } = this.#parts;
    const scoreboard = this.#parts.scoreboard();
    if (this.#parts.stopping()) return "the master is stopping";
    if (!scoreboard) return "the scoreboard is not open";
    if (this.#backoff.holds(purpose)) return "forks are paused after one failed (see the log)";
    // A late hand-over must not bring back a generation that was replaced or never took charge: its
    // listeners and module resources may be closed already.
    if (this.#parts.generations().role(generation.number) === "old") {
      log.debug(
        { slot, generation: generation.number },
        "not spawning a child of a generation out of service",
      );
      return `generation ${generation.number} is out of service`;
    }
    const { config } = generation;
    scoreboard.master.prepareSlot(slot, generation.number, config.workersPerChild, Date.now());
    const spec = childSpec(config, {
      slot,
      generation: generation.number,
      restart: generation.kind,
      listeners: generation.listeners,
      resources: generation.modules.resources.specs(),
    });
    let child: ChildHandle;
    try {
      child = table.spawn({
        spec,
        fds: inheritedDescriptors(
          generation.listeners,
          scoreboard.fd,
          generation.modules.resources.descriptors(),
        ),
        // One accept per wake-up, then yield: every child sharing the listener gets its share of a
        // burst of connections, instead of the first to wake taking them all (measured in
        // docs/benchmarks.md). An operator's own setting wins.
        env: childEnvironment(config, { UV_TCP_SINGLE_ACCEPT: "1" }),
        execArgv: childExecArgv(config.nodeArgs),
      });
    } catch (error) {
      const then = this.#backoff.failed(purpose);
      log.error({ err: error, slot }, `could not fork a child; ${then}`);
      scoreboard.master.reclaimSlot(slot);
      return `could not fork a child (${(error as Error).message}): out of processes or file descriptors?`;
    }
    scoreboard.master.countChild("started");
    child.after(config.childStartTimeout, () => {
      if (child.phase !== "starting") return;
      log.error(
        {
          slot,
          childPid: child.pid,
          generation: generation.number,
          childStartTimeoutMs: config.childStartTimeout,
        },
        `a child was not ready within ${config.childStartTimeout / 1000} s (childStartTimeout): killing it`,
      );
      child.kill("start-timeout");
    });
    return child;
  }
}
