// The master's handle on one child process: its phase, why the master wants it gone, and every way
// the master ends it. Signals go through Node's ChildProcess, which does nothing once the child has
// been reaped, and every escalation timer is cleared at the exit: no signal can reach a pid that
// another process has since been given.
import type { ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import type { MasterMessage } from "../../protocol/messages.ts";
import { type ChildPhase, canMove, type ExitPlan, type RetireReason } from "./child-phase.ts";

/** How long a child told to exit has before SIGKILL. */
export const KILL_GRACE_MS = 3_000;

export interface ChildExit {
  readonly child: ChildHandle;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The phase it was in when it exited. */
  readonly phase: ChildPhase;
  /** It still owned its scoreboard slot (it had not given it up while draining). */
  readonly ownedSlot: boolean;
}

/** What a drone has beside a child's handle. */
export interface DroneLink {
  readonly service: string;
  readonly channel: Socket;
}

export class ChildHandle {
  readonly slot: number;
  readonly pid: number;
  readonly generation: number;
  readonly startedAt = Date.now();
  readonly #process: ChildProcess;
  #phase: ChildPhase = "starting";
  #plan: ExitPlan | undefined;
  #wasReady = false;
  readonly #timers = new Set<NodeJS.Timeout>();
  #detachDeadline: NodeJS.Timeout | undefined;
  readonly #exitHooksMs: number;
  /** What the child said when it asked to retire, if it did. */
  retiring: RetireReason | undefined;
  /** Why it could not initialise, if it said so before exiting. */
  fatalReason: string | undefined;
  /** A drone: the service it runs and its data channel. Undefined for a child of the listener pool. */
  readonly drone: DroneLink | undefined;

  /** `exitHooksMs`: how long its childExit hooks may run once it has drained. */
  constructor(
    slot: number,
    generation: number,
    process: ChildProcess & { pid: number },
    exitHooksMs = 0,
    drone?: DroneLink,
  ) {
    this.slot = slot;
    this.generation = generation;
    this.pid = process.pid;
    this.#process = process;
    this.#exitHooksMs = exitHooksMs;
    this.drone = drone;
  }

  get phase(): ChildPhase {
    return this.#phase;
  }

  /** Why the master drains or kills it; undefined while nothing is planned. */
  get plan(): ExitPlan | undefined {
    return this.#plan;
  }

  /** Serving: it said it is ready and is not on its way out. */
  get serving(): boolean {
    return this.#phase === "ready";
  }

  /** Timers armed for this child (escalations, deadlines): none once it has exited. */
  get armedTimers(): number {
    return this.#timers.size;
  }

  /** Still expected to serve or to become able to: not draining, detaching, killing or gone. */
  get active(): boolean {
    return this.#phase === "starting" || this.#phase === "ready";
  }

  /** It said it is ready: true the first time only, while starting (a repeat or a late one is ignored). */
  markReady(): boolean {
    if (!this.#move("ready")) return false;
    this.#wasReady = true;
    return true;
  }

  /** It has been ready (it may be draining or gone since). */
  get wasReady(): boolean {
    return this.#wasReady;
  }

  /** A drone that will leave once it has finished what it holds: it shows `G` meanwhile. */
  leaving(): void {
    if (this.phase === "ready") this.send({ drover: "leaving" });
  }

  /**
   * The pipe of death: stop accepting, finish within `deadlineMs`, then run the childExit hooks;
   * killed if still there after both and a grace.
   */
  quiesce(plan: ExitPlan, deadlineMs: number): void {
    if (!this.#move("draining")) return;
    this.#plan = plan;
    this.send({ drover: "quiesce", deadlineMs });
    this.after(deadlineMs + this.#exitHooksMs + KILL_GRACE_MS, () => this.kill("drain-timeout"));
  }

  /**
   * Asks a draining child to leave the shared scoreboard. It answers from its event loop, which may be
   * busy for a while; one that has not answered within `answerMs` (its heartbeat limit) is stuck.
   */
  detach(answerMs: number): void {
    if (!this.#move("detaching")) return;
    this.send({ drover: "detach" });
    this.#detachDeadline = this.after(answerMs, () => this.kill("detach-timeout"));
  }

  /** It says it gave its slot up: true the first time only, while detaching. It drains on. */
  markDetached(): boolean {
    if (!this.#move("detached")) return false;
    this.#clear(this.#detachDeadline);
    return true;
  }

  /** A hard stop: exit at once (over IPC, so that it cannot be confused with an outside SIGTERM), SIGKILL after a grace. */
  stop(plan: ExitPlan): void {
    if (!this.#move("killing")) return;
    this.#plan = plan;
    this.send({ drover: "exit" });
    this.after(KILL_GRACE_MS, () => this.#signal("SIGKILL"));
  }

  /** SIGKILL now: for a child that cannot be asked (hung, not ready in time, past its deadline). */
  kill(plan: ExitPlan): void {
    if (this.#phase === "exited") return;
    if (this.#phase !== "killing") {
      this.#move("killing");
      this.#plan = plan;
    }
    this.#signal("SIGKILL");
  }

  /** Runs `action` after `ms`, unless the child exits first. */
  after(ms: number, action: () => void): NodeJS.Timeout | undefined {
    if (this.#phase === "exited") return undefined;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
    return timer;
  }

  /** Sends a drover message; false when the channel is already closed. */
  send(message: MasterMessage): boolean {
    if (!this.#process.connected) return false;
    this.#process.send(message);
    return true;
  }

  /** The process exited (Node reaped it): nothing of this child may fire any more. */
  exited(): ChildPhase {
    const phase = this.#phase;
    this.#phase = "exited";
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    return phase;
  }

  #clear(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  #move(to: ChildPhase): boolean {
    if (!canMove(this.#phase, to)) return false;
    this.#phase = to;
    return true;
  }

  #signal(signal: NodeJS.Signals): void {
    // After the exit, ChildProcess.kill() is a no-op: the pid may belong to someone else by now.
    this.#process.kill(signal);
  }
}

/** The log fields naming a child. */
export function where(child: ChildHandle) {
  return { slot: child.slot, childPid: child.pid, generation: child.generation };
}
