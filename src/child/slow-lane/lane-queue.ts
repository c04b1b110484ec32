// The slow lane's queue, fair across connections: each connection's requests wait in a line of their
// own, in the order they were read (HTTP/1.1 answers them in that order anyway), and the lines take
// turns. A client pipelining 50 heavy requests then gets one start in turn with every other
// connection that has a request waiting, not 50 before them.
//
// The connection next in turn is always the one whose first request has waited longest for its turn:
// a line joins at the back when its first request comes, and goes back there, with the time reset,
// each time one of its requests starts. Time a request spends behind its own connection's earlier
// requests is not counted: the lane could not start it sooner without breaking their order.
import type { IncomingMessage, ServerResponse } from "node:http";

/** A request held in the lane, with what serve() read of it. */
export interface Waiting {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  // As serve() read them: a framework may rewrite request.url while it routes (Express does).
  readonly method: string;
  readonly url: string;
  /** Its route key, when serve() worked it out. */
  readonly key: string | undefined;
}

/** One connection's waiting requests. */
export class ConnectionLine {
  readonly requests: Waiting[] = [];
  /** Since when (performance.now()) its first request has waited for its turn. */
  since = 0;
}

export class LaneQueue {
  // The lines with a request waiting, the one waiting longest for its turn first.
  readonly #turns: ConnectionLine[] = [];
  #size = 0;

  /** Requests waiting, all connections together. */
  get size(): number {
    return this.#size;
  }

  /** Since when the line next in turn has waited, or undefined when nothing waits. */
  get nextSince(): number | undefined {
    return this.#turns[0]?.since;
  }

  /** Puts `waiting` at the end of its connection's `line`; a line that was empty joins the turns last. */
  push(line: ConnectionLine, waiting: Waiting, now: number): void {
    line.requests.push(waiting);
    this.#size++;
    if (line.requests.length === 1) {
      line.since = now;
      this.#turns.push(line);
    }
  }

  /** The first request of the line next in turn, which then goes last in turn if it holds more. */
  take(now: number): Waiting | undefined {
    const line = this.#turns.shift();
    const waiting = line?.requests.shift();
    if (line === undefined || waiting === undefined) return undefined;
    this.#size--;
    if (line.requests.length > 0) {
      line.since = now;
      this.#turns.push(line);
    }
    return waiting;
  }

  /** Takes all of `line`'s requests out (its connection closed) and returns them. */
  drop(line: ConnectionLine): Waiting[] {
    if (line.requests.length === 0) return [];
    const turn = this.#turns.indexOf(line);
    if (turn !== -1) this.#turns.splice(turn, 1);
    const dropped = line.requests.splice(0);
    this.#size -= dropped.length;
    return dropped;
  }
}
