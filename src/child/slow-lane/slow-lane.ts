// The slow lane. A child serves all its connections on one thread, so a request that holds the event
// loop for 20 ms holds every other connection of the child for 20 ms: a cheap request that arrives
// behind three expensive ones waits for all three. Node cannot preempt a handler, but it can choose
// the order handlers start in. The slow lane learns which routes hold the loop (slow-routes.ts) and
// starts their requests from a queue, one per turn of the event loop, after the requests already
// read: a cheap request then waits for at most the one expensive request running.
//
// - Fair: connections take turns (lane-queue.ts); a connection's own requests keep their order, so
//   once one of its requests waits, its next (pipelined) ones wait behind it.
// - Bounded: a request whose turn has not come within maxWaitMs starts anyway, in the same turn as
//   the one before it, ahead of newer requests. Under sustained overload the lane thus stops holding
//   requests back past the bound instead of letting its queue grow.
// - Shedding: a request whose client can no longer get the answer is dropped without running, when
//   its connection closes or when its turn comes, whichever is first.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { ConnectionLine, LaneQueue, type Waiting } from "./lane-queue.ts";
import { RouteKeyCache } from "./route-key-cache.ts";
import { routeNameOf } from "./route-name.ts";
import { SlowRoutes } from "./slow-routes.ts";

export { routeOf } from "./route-key.ts";
export { SLOW_ROUTES_KEPT } from "./slow-routes.ts";

/** The longest a request waits for its turn by default (config `slowLaneMaxWait`). */
export const SLOW_LANE_MAX_WAIT_MS = 250;

/** Whatever answers a request: the modules' handlers, then the app. */
export type Answer = (request: IncomingMessage, response: ServerResponse) => void;

/** What a lane tells its child, for the log and the scoreboard. */
export interface SlowLaneEvents {
  /** A route became slow: its key (`GET /report/*`) and its average in ms. */
  readonly slowRoute?: (route: string, averageMs: number) => void;
  /** A request went into the lane, which now holds `waiting`. */
  readonly queued?: (waiting: number) => void;
  /** A request left the lane to start, leaving `waiting`. */
  readonly started?: (waiting: number) => void;
  /** A waiting request was dropped without running, since its client left; the lane holds `waiting`. */
  readonly shed?: (waiting: number) => void;
}

/** How requests start: `answer` wrapped in a slow lane, or `answer` itself with the lane off. */
export type LaneFactory = (answer: Answer) => Answer;

/** A LaneFactory: a slow lane for each server, or none when `thresholdMs` is 0. */
export function slowLanes(
  thresholdMs: number,
  events?: SlowLaneEvents,
  maxWaitMs: number = SLOW_LANE_MAX_WAIT_MS,
): LaneFactory {
  if (thresholdMs === 0) return (answer) => answer;
  return (answer) => {
    const lane = new SlowLane(answer, thresholdMs, events, maxWaitMs);
    return (request, response) => lane.serve(request, response);
  };
}

export class SlowLane {
  readonly #answer: Answer;
  readonly #thresholdMs: number;
  readonly #maxWaitMs: number;
  readonly #events: SlowLaneEvents;
  readonly #routes: SlowRoutes;
  readonly #keys = new RouteKeyCache();
  readonly #queue = new LaneQueue();
  // Each connection's line, kept here rather than on the socket: a property on some sockets only would
  // give them hidden classes of their own, and Node's code that handles every socket would slow down.
  readonly #lines = new WeakMap<Socket, ConnectionLine>();
  // One function for every socket's 'close' (it reads the socket as `this`), not a closure each.
  readonly #onClose: (this: Socket) => void;
  #scheduled = false;
  #shed = 0;

  /**
   * Requests to routes whose `answer` takes `thresholdMs` or more on average go in the lane, and wait
   * there at most about `maxWaitMs` for their turn (0: as long as it takes).
   */
  constructor(
    answer: Answer,
    thresholdMs: number,
    events: SlowLaneEvents = {},
    maxWaitMs = SLOW_LANE_MAX_WAIT_MS,
  ) {
    if (!(thresholdMs > 0) || !Number.isFinite(thresholdMs))
      throw new RangeError(`the slow lane's threshold must be a positive number of ms, got ${thresholdMs}`);
    if (!(maxWaitMs >= 0) || !Number.isFinite(maxWaitMs))
      throw new RangeError(`the slow lane's longest wait must be 0 or more ms, got ${maxWaitMs}`);
    this.#answer = answer;
    this.#thresholdMs = thresholdMs;
    this.#maxWaitMs = maxWaitMs;
    this.#events = events;
    this.#routes = new SlowRoutes(thresholdMs);
    const lane = this;
    this.#onClose = function (this: Socket) {
      lane.#closed(this);
    };
  }

  /** Requests waiting in the lane. */
  get waiting(): number {
    return this.#queue.size;
  }

  /** Requests dropped from the lane without running, since their client had left. */
  get shed(): number {
    return this.#shed;
  }

  /** The routes held slow now, with their averages in ms (a copy). */
  get slowRoutes(): ReadonlyMap<string, number> {
    return this.#routes.averages();
  }

  /** Answers `request` now, or from the lane when its route is slow or its connection has one waiting. */
  serve(request: IncomingMessage, response: ServerResponse): void {
    const socket = request.socket;
    const method = request.method ?? "GET";
    const url = request.url ?? "/";
    // While nothing is slow, a request's route is not even worked out.
    const key = this.#routes.slowCount > 0 ? this.#keys.keyOf(method, url) : undefined;
    // A connection can have a request waiting only while the lane holds one.
    const line = socket && this.#queue.size > 0 ? this.#lines.get(socket) : undefined;
    if (
      socket &&
      ((line !== undefined && line.requests.length > 0) || (key !== undefined && this.#routes.isSlow(key)))
    ) {
      this.#enqueue(socket, { request, response, method, url, key });
      return;
    }
    this.#timed(request, response, method, url, key);
  }

  #enqueue(socket: Socket, waiting: Waiting): void {
    if (isAbandoned(waiting)) {
      this.#drop(waiting);
      return;
    }
    let line = this.#lines.get(socket);
    if (line === undefined) {
      line = new ConnectionLine();
      this.#lines.set(socket, line);
      socket.once("close", this.#onClose);
    }
    this.#queue.push(line, waiting, performance.now());
    this.#events.queued?.(this.#queue.size);
    this.#schedule();
  }

  #timed(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    url: string,
    key: string | undefined,
  ): void {
    const started = performance.now();
    try {
      this.#answer(request, response);
    } finally {
      this.#learn(request, method, url, key, performance.now() - started);
    }
  }

  #learn(request: IncomingMessage, method: string, url: string, key: string | undefined, ms: number): void {
    // Nothing was slow when it started, and it was cheap: the common case costs nothing more.
    if (key === undefined && ms < this.#thresholdMs) return;
    const name = routeNameOf(request);
    const route =
      name === undefined ? (key ?? this.#keys.keyOf(method, url)) : this.#keys.named(method, url, name, key);
    if (this.#routes.record(route, ms)) this.#events.slowRoute?.(route, this.#routes.averageOf(route) ?? ms);
  }

  // A turn runs after the poll phase (setImmediate), so every request read in between has started
  // before the next one from the lane does.
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#runTurn());
  }

  #runTurn(): void {
    this.#scheduled = false;
    let next = this.#next(performance.now(), false);
    while (next !== undefined) {
      // Scheduled first: an answer that throws must not stall the requests behind it.
      if (this.#queue.size > 0) this.#schedule();
      this.#events.started?.(this.#queue.size);
      this.#timed(next.request, next.response, next.method, next.url, next.key);
      next = this.#maxWaitMs > 0 && this.#queue.size > 0 ? this.#next(performance.now(), true) : undefined;
    }
  }

  // The first request in turn whose client is still there (or, with `overdue`, only one that has
  // waited maxWaitMs for its turn); those whose client left are dropped on the way.
  #next(now: number, overdue: boolean): Waiting | undefined {
    for (;;) {
      if (overdue && now - (this.#queue.nextSince ?? now) < this.#maxWaitMs) return undefined;
      const waiting = this.#queue.take(now);
      if (waiting === undefined || !isAbandoned(waiting)) return waiting;
      this.#drop(waiting);
    }
  }

  #closed(socket: Socket): void {
    const line = this.#lines.get(socket);
    if (line !== undefined) for (const waiting of this.#queue.drop(line)) this.#drop(waiting);
  }

  #drop(waiting: Waiting): void {
    this.#shed++;
    // It will never be answered, so a connection that could still carry answers must close: the answers
    // to its later (pipelined) requests would otherwise wait behind this one forever.
    const socket = waiting.request.socket;
    if (!waiting.response.writableEnded && socket && !socket.destroyed && socket.writable) socket.destroy();
    this.#events.shed?.(this.#queue.size);
  }
}

/** True when nobody can get the answer to `waiting` any more, or it was answered already. */
function isAbandoned({ request, response }: Waiting): boolean {
  const socket = request.socket;
  return (
    request.destroyed ||
    response.writableEnded ||
    response.destroyed ||
    socket === null ||
    socket.destroyed ||
    !socket.writable
  );
}
