// The master's table of its children: spawning one into a scoreboard slot with the listeners as
// inherited descriptors, talking to it over IPC, and learning how it ended. Node reaps every child, so
// there are never zombies; this table is where the master learns of each exit.
import { type ChildProcess, spawn } from "node:child_process";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { CHILD_SPEC_ENV, type ChildSpec } from "../child/spec.ts";
import { type ChildMessage, isChildMessage, type MasterMessage } from "../protocol/messages.ts";

// The child entry beside this file's folder, with this file's extension: .ts when drover runs from
// its sources, .js from the build.
const CHILD_ENTRY = fileURLToPath(
  new URL(`../child/main${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

export interface ChildRecord {
  readonly slot: number;
  readonly pid: number;
  readonly generation: number;
  readonly process: ChildProcess;
  readonly startedAt: number;
  /** It said it is ready: childInit ran and it accepts. */
  ready: boolean;
  /** It was told to drain (pipe of death, retirement, or its generation was replaced). */
  quiescing: boolean;
  /** The master is killing it (hung, or a hard stop): do not count on it any more. */
  killing: boolean;
  /** Asked to leave the shared scoreboard so that its slot can go to a new child. */
  detaching: boolean;
  /** Why it could not initialise, if it said so before exiting. */
  fatalReason: string | undefined;
}

export interface ChildExit {
  readonly child: ChildRecord;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ChildTableEvents {
  readonly ready: (child: ChildRecord) => void;
  /** A draining child left the shared scoreboard; its slot is free for a new child. */
  readonly detached: (child: ChildRecord) => void;
  readonly exit: (exit: ChildExit) => void;
}

export class ChildTable {
  // The child in each slot, and every live child: one that lost its slot while draining is only here.
  readonly #bySlot = new Map<number, ChildRecord>();
  readonly #live = new Set<ChildRecord>();
  readonly #events: ChildTableEvents;

  constructor(events: ChildTableEvents) {
    this.#events = events;
  }

  get size(): number {
    return this.#live.size;
  }

  inSlot(slot: number): ChildRecord | undefined {
    return this.#bySlot.get(slot);
  }

  all(): ChildRecord[] {
    return [...this.#live];
  }

  /**
   * Spawns a child for `spec.slot`, giving it `fds` as descriptors 4, 5, ... (see inheritedFds).
   * Throws when the system cannot fork (the caller backs off).
   */
  spawn(spec: ChildSpec, fds: readonly number[], env: NodeJS.ProcessEnv, execArgv: readonly string[]) {
    const child = spawn(process.execPath, [...execArgv, CHILD_ENTRY], {
      stdio: ["ignore", "inherit", "inherit", "ipc", ...fds],
      env: { ...env, [CHILD_SPEC_ENV]: JSON.stringify(spec) },
      serialization: "json",
    });
    if (child.pid === undefined) {
      // spawn() reports a failed fork asynchronously; the pid is missing right away.
      child.on("error", () => {});
      throw new Error(`could not spawn a child for slot ${spec.slot}`);
    }
    const record: ChildRecord = {
      slot: spec.slot,
      pid: child.pid,
      generation: spec.generation,
      process: child,
      startedAt: Date.now(),
      ready: false,
      quiescing: false,
      killing: false,
      detaching: false,
      fatalReason: undefined,
    };
    this.#bySlot.set(spec.slot, record);
    this.#live.add(record);
    child.on("message", (message: unknown) => this.#message(record, message));
    child.on("error", () => {
      // Failed signals or sends to a child that just died; its exit event follows.
    });
    child.once("exit", (code, signal) => {
      this.#live.delete(record);
      if (this.#bySlot.get(record.slot) === record) this.#bySlot.delete(record.slot);
      this.#events.exit({ child: record, code, signal });
    });
    return record;
  }

  /** Sends a drover message; false when the channel is already closed. */
  send(child: ChildRecord, message: MasterMessage): boolean {
    if (!child.process.connected) return false;
    child.process.send(message);
    return true;
  }

  /** The pipe of death for one child: stop accepting, finish, exit. */
  quiesce(child: ChildRecord): void {
    if (child.quiescing) return;
    child.quiescing = true;
    this.send(child, { drover: "quiesce" });
  }

  /**
   * Gives a draining child's slot up (the seed's "lost slot"): it goes on draining as a child the table
   * still tracks, but no longer in that slot.
   */
  releaseSlot(child: ChildRecord): void {
    if (this.#bySlot.get(child.slot) === child) this.#bySlot.delete(child.slot);
  }

  signal(child: ChildRecord, signal: NodeJS.Signals): void {
    try {
      process.kill(child.pid, signal);
    } catch {
      // Already gone; its exit event is on its way.
    }
  }

  #message(child: ChildRecord, message: unknown): void {
    // Anything else on the channel belongs to the app, or is malformed: never a reason to act.
    if (!isChildMessage(message)) return;
    handleChildMessage(child, message, this.#events);
  }
}

function handleChildMessage(child: ChildRecord, message: ChildMessage, events: ChildTableEvents): void {
  switch (message.drover) {
    case "ready":
      child.ready = true;
      events.ready(child);
      return;
    case "fatal":
      child.fatalReason = message.reason;
      return;
    case "detached":
      events.detached(child);
      return;
  }
}
