// A session (OpenSRF's CONNECT): one drone pinned to one caller, its calls run there one after another
// in the order sent. It ends when its caller closes it or goes away, after sessionIdleTimeout with no
// call, at sessionMaxLifetime, when its drone dies, or when a reload's sessionDrainTimeout passes;
// its id is then forgotten at once, so a later call of it fails with DROVER_ERR_SESSION_EXPIRED.
import { randomUUID } from "node:crypto";
import type { Call } from "./call.ts";
import type { Drone } from "./drone.ts";
import type { SessionEnd } from "./wire/messages.ts";

export class Session {
  readonly id = `s-${randomUUID()}`;
  readonly service: string;
  readonly openedAt = Date.now();
  drone: Drone | undefined;
  /** Its calls waiting for the one before them to finish, in order. */
  readonly queue: Call[] = [];
  /** Why it ends, once it does. */
  ending: SessionEnd | undefined;
  /** Who waits for it to be closed (a close request). */
  readonly closed: Array<() => void> = [];
  #idle: NodeJS.Timeout | undefined;
  #lifetime: NodeJS.Timeout | undefined;

  constructor(service: string) {
    this.service = service;
  }

  /** Arms (again) the end of the session after `idleMs` of silence, and once its lifetime. */
  touch(idleMs: number, onIdle: () => void): void {
    clearTimeout(this.#idle);
    this.#idle = setTimeout(onIdle, idleMs);
  }

  /** No idle end while a call of it runs or waits. */
  busy(): void {
    clearTimeout(this.#idle);
    this.#idle = undefined;
  }

  limitLifetime(lifetimeMs: number, onEnd: () => void): void {
    if (lifetimeMs > 0 && this.#lifetime === undefined) this.#lifetime = setTimeout(onEnd, lifetimeMs);
  }

  /** The next call still waiting, taken out. */
  next(): Call | undefined {
    for (;;) {
      const call = this.queue.shift();
      if (!call?.settled) return call;
    }
  }

  stopTimers(): void {
    clearTimeout(this.#idle);
    clearTimeout(this.#lifetime);
  }
}

/** Why sessions ended, kept for a while so that a late call is told how its session ended. */
export class EndedSessions {
  readonly #ended = new Map<string, string>();
  readonly #keep: number;

  constructor(keep = 4096) {
    this.#keep = keep;
  }

  add(id: string, why: string): void {
    this.#ended.set(id, why);
    if (this.#ended.size > this.#keep) {
      const oldest = this.#ended.keys().next().value;
      if (oldest !== undefined) this.#ended.delete(oldest);
    }
  }

  why(id: string): string | undefined {
    return this.#ended.get(id);
  }
}
