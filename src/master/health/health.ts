// What the master says about itself to Kubernetes, load balancers and systemd. Liveness: the master's
// event loop runs (it answers at all) and so does its once-a-second maintenance pass, which runs the
// children's watchdog; a master that cannot answer is the failure a liveness probe exists for.
// Readiness: a generation serves with at least one ready child, and no stop has begun: from the first
// moment of a graceful stop (its shutdownDelay included) the answer is no, so that load balancers take
// the server out of rotation while it still serves what it has.
import type { ChildHandle } from "../children/child-handle.ts";
import type { Generation } from "../generations/generation.ts";
import type { Lifecycle } from "../lifecycle.ts";
import type { LastPass } from "../pool/maintenance-pass.ts";

/** Passes missed (one a second) before the master counts as not live. */
export const LIVENESS_STALE_MS = 5_000;

export type HealthState = "starting" | "serving" | "stopping" | "no-ready-child" | "stale";

/** One answer of /livez or /readyz, also the JSON body they send. */
export interface HealthVerdict {
  readonly ok: boolean;
  readonly state: HealthState;
  /** One sentence, for people: why it is or is not ok. */
  readonly reason: string;
  /** The generation serving; null before the first one does. */
  readonly generation: number | null;
  /** Children of that generation that are ready and accept connections. */
  readonly readyChildren: number;
}

export interface HealthParts {
  readonly lifecycle: Lifecycle;
  readonly serving: () => Generation | undefined;
  readonly children: () => readonly ChildHandle[];
  readonly lastPass: () => LastPass | undefined;
}

export class MasterHealth {
  readonly #parts: HealthParts;

  constructor(parts: HealthParts) {
    this.#parts = parts;
  }

  liveness(now = Date.now()): HealthVerdict {
    const { state } = this.#parts.lifecycle;
    if (state === "starting") {
      return this.#verdict(true, "starting", "the master is starting its first generation");
    }
    if (state !== "running") return this.#verdict(true, "stopping", "the master is stopping");
    const last = this.#parts.lastPass();
    const age = last === undefined ? Number.POSITIVE_INFINITY : now - last.at;
    if (age > LIVENESS_STALE_MS) {
      const when = last === undefined ? "has not run" : `last ran ${(age / 1000).toFixed(1)} s ago`;
      return this.#verdict(
        false,
        "stale",
        `the maintenance pass, which runs the children's watchdog, ${when}: the master is stuck`,
      );
    }
    return this.#verdict(true, "serving", "the master's loop and its watchdog run");
  }

  readiness(): HealthVerdict {
    const { lifecycle } = this.#parts;
    if (lifecycle.stopping) {
      return this.#verdict(false, "stopping", "a stop has begun: the master takes no new work");
    }
    const serving = this.#parts.serving();
    if (lifecycle.state === "starting" || serving === undefined) {
      return this.#verdict(false, "starting", "the first generation is not serving yet");
    }
    const ready = this.#readyChildren(serving);
    if (serving.config.app !== undefined && ready === 0) {
      return this.#verdict(
        false,
        "no-ready-child",
        `no child of generation ${serving.number} is ready to accept connections`,
      );
    }
    return this.#verdict(true, "serving", `generation ${serving.number} serves`);
  }

  /** One line for systemd's STATUS=: what serves, how many children are ready, failures so far. */
  summary(): string {
    const { lifecycle } = this.#parts;
    const serving = this.#parts.serving();
    const failed = this.#parts.lastPass()?.counters?.childrenFailed ?? 0;
    const failures = `${failed} ${failed === 1 ? "child" : "children"} failed since the start`;
    if (lifecycle.stopping) {
      const left = this.#parts.children().length;
      return `stopping: ${left} ${left === 1 ? "process" : "processes"} left`;
    }
    if (serving === undefined) return "starting the first generation";
    const ready = this.#readyChildren(serving);
    const what =
      serving.config.app === undefined
        ? `services ${serving.config.services.map((service) => service.name).join(", ")}`
        : `${ready} ${ready === 1 ? "child" : "children"} ready`;
    return `generation ${serving.number} serving: ${what}, ${failures}`;
  }

  #readyChildren(serving: Generation): number {
    return this.#parts
      .children()
      .filter((child) => !child.drone && child.generation === serving.number && child.serving).length;
  }

  #verdict(ok: boolean, state: HealthState, reason: string): HealthVerdict {
    const serving = this.#parts.serving();
    return {
      ok,
      state,
      reason,
      generation: serving?.number ?? null,
      readyChildren: serving ? this.#readyChildren(serving) : 0,
    };
  }
}
