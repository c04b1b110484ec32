// The watchdog: a child whose heartbeat is older than heartbeatTimeout has a stuck event loop. Its
// JavaScript stack is logged (its own watchdog thread reads it, see hung-child.ts), then it is killed
// and replaced. Children still starting are not judged here: childStartTimeout bounds them.
import type { ResolvedConfig } from "../../config/types/resolved-config.ts";
import type { Logger } from "../../log/logger.ts";
import type { Scoreboard, ScoreboardSnapshot } from "../../scoreboard/index.ts";
import type { ChildHandle } from "./child-handle.ts";
import { where } from "./child-handle.ts";
import type { ChildTable } from "./children.ts";
import { readHungStack } from "./hung-child.ts";

export interface WatchdogParts {
  readonly table: ChildTable;
  readonly log: Logger;
  readonly config: () => ResolvedConfig;
  readonly scoreboard: () => Scoreboard | undefined;
}

export class Watchdog {
  readonly #parts: WatchdogParts;
  readonly #diagnosing = new Set<ChildHandle>();

  constructor(parts: WatchdogParts) {
    this.#parts = parts;
  }

  /** Looks at every child's heartbeat in `snapshot` (one maintenance pass). */
  check(snapshot: ScoreboardSnapshot, now = Date.now()): void {
    const { heartbeatTimeout } = this.#parts.config();
    if (heartbeatTimeout <= 0) return;
    for (const record of snapshot.processes) {
      const child = this.#parts.table.inSlot(record.slot);
      if (!child || record.pid !== child.pid || this.#diagnosing.has(child)) continue;
      if (child.phase !== "ready" && child.phase !== "draining") continue;
      const age = now - record.heartbeat;
      // A damaged heartbeat says nothing about the child: never kill on one.
      if (record.damaged.length === 0 && age > heartbeatTimeout) void this.#diagnoseAndKill(child, age);
    }
  }

  async #diagnoseAndKill(child: ChildHandle, heartbeatAgeMs: number): Promise<void> {
    this.#diagnosing.add(child);
    const log = this.#parts.log.child({ ...where(child), heartbeatAgeMs });
    const scoreboard = this.#parts.scoreboard();
    try {
      if (this.#parts.config().hungChildStack && scoreboard) {
        await readHungStack(scoreboard, child.slot, child.pid, log);
      } else {
        log.error("a child's event loop is stuck: killing it (hungChildStack is off: no stack)");
      }
    } finally {
      this.#diagnosing.delete(child);
      child.kill("hung");
    }
  }
}
