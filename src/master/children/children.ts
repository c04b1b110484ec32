// The master's table of its children: which child owns each scoreboard slot, every live child (one
// that gave its slot up while draining is only in the second), spawning a process with its inherited
// descriptors, and dispatching what it says. Node reaps every child, so there are never zombies; this
// table is where the master learns of each exit.
import { spawn } from "node:child_process";
import type { Socket } from "node:net";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { CHILD_SPEC_ENV, type ChildSpec, EXIT_GRACE_MS } from "../../child/spec.ts";
import type { DroneSpec } from "../../drone/spec.ts";
import { type ChildMessage, isChildMessage, type RetireReasonName } from "../../protocol/messages.ts";
import { type ChildExit, ChildHandle } from "./child-handle.ts";

// The child entry beside this file's folder, with this file's extension: .ts when drover runs from
// its sources, .js from the build.
const CHILD_ENTRY = fileURLToPath(
  new URL(`../../child/main${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

export interface ChildEvents {
  readonly ready: (child: ChildHandle) => void;
  readonly retire: (child: ChildHandle, reason: RetireReasonName) => void;
  /** A detaching child left the shared scoreboard; its slot is free for a new child. */
  readonly detached: (child: ChildHandle) => void;
  readonly exit: (exit: ChildExit) => void;
}

export interface SpawnRequest {
  readonly spec: ChildSpec | DroneSpec;
  /** Descriptors the child inherits, as its fds 4, 5, ... in this order. */
  readonly fds: readonly number[];
  readonly env: NodeJS.ProcessEnv;
  readonly execArgv: readonly string[];
  /** A drone: it gets a data channel (a socketpair) after the inherited descriptors. */
  readonly drone?: { readonly service: string };
}

export class ChildTable {
  readonly #bySlot = new Map<number, ChildHandle>();
  readonly #live = new Set<ChildHandle>();
  readonly #events: ChildEvents;

  constructor(events: ChildEvents) {
    this.#events = events;
  }

  get size(): number {
    return this.#live.size;
  }

  inSlot(slot: number): ChildHandle | undefined {
    return this.#bySlot.get(slot);
  }

  all(): ChildHandle[] {
    return [...this.#live];
  }

  /** The live children of `generation` that still serve or are starting to. */
  active(generation: number): ChildHandle[] {
    return this.all().filter((child) => child.generation === generation && child.active);
  }

  /** Spawns a child into `spec.slot`. Throws when the system cannot fork (the caller backs off). */
  spawn({ spec, fds, env, execArgv, drone }: SpawnRequest): ChildHandle {
    const process = spawn(globalThis.process.execPath, [...execArgv, CHILD_ENTRY], {
      stdio: ["ignore", "inherit", "inherit", "ipc", ...fds, ...(drone ? (["pipe"] as const) : [])],
      env: { ...env, [CHILD_SPEC_ENV]: JSON.stringify(spec) },
      serialization: "json",
    });
    if (process.pid === undefined) {
      // spawn() reports a failed fork asynchronously; the pid is missing right away.
      process.on("error", () => {});
      throw new Error(`could not spawn a child for slot ${spec.slot}`);
    }
    const child = new ChildHandle(
      spec.slot,
      spec.generation,
      process as typeof process & { pid: number },
      spec.hookTimeoutMs + EXIT_GRACE_MS,
      drone && { service: drone.service, channel: process.stdio[4 + fds.length] as Socket },
    );
    this.#bySlot.set(spec.slot, child);
    this.#live.add(child);
    process.on("message", (message: unknown) => {
      // Anything else on the channel belongs to the app, or is malformed: never a reason to act.
      if (isChildMessage(message)) this.#handle(child, message);
    });
    process.on("error", () => {
      // Failed signals or sends to a child that just died; its exit event follows.
    });
    process.once("exit", (code, signal) => {
      this.#live.delete(child);
      const ownedSlot = this.inSlot(child.slot) === child;
      this.releaseSlot(child);
      const phase = child.exited();
      this.#events.exit({ child, code, signal, phase, ownedSlot });
    });
    return child;
  }

  /** Gives a child's slot up (the seed's "lost slot"): it goes on draining, tracked but slotless. */
  releaseSlot(child: ChildHandle): void {
    if (this.#bySlot.get(child.slot) === child) this.#bySlot.delete(child.slot);
  }

  // A message counts only in the phase it belongs to: an app writing on the channel cannot make a
  // child count as ready twice, nor free a slot its child still writes (review D26).
  #handle(child: ChildHandle, message: ChildMessage): void {
    switch (message.drover) {
      case "ready":
        if (child.markReady()) this.#events.ready(child);
        return;
      case "fatal":
        child.fatalReason = message.reason;
        return;
      case "detached":
        if (this.inSlot(child.slot) === child && child.markDetached()) this.#events.detached(child);
        return;
      case "retire":
        if (child.active && child.retiring === undefined) {
          child.retiring = message.reason;
          this.#events.retire(child, message.reason);
        }
        return;
    }
  }
}
