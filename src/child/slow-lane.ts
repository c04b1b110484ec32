// The slow lane. A child serves all its connections on one thread, so a request that holds the event
// loop for 20 ms holds every other connection of the child for 20 ms: a cheap request that arrives
// behind three expensive ones waits for all three. Node cannot preempt a handler, but it can choose
// the order handlers start in. The slow lane learns which routes hold the loop (the time their handler
// runs before it returns, averaged per method and path) and starts those one per turn of the event
// loop, after the requests already read. A cheap request then waits for at most the one expensive
// request running, as it would in a threaded server, and the expensive ones still run in order.
//
// Requests on one connection keep their order: once a request of a connection waits in the lane,
// the connection's next (pipelined) requests wait behind it.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";

/** Routes whose average is remembered; beyond this the least recently added is forgotten. */
export const SLOW_ROUTES_KEPT = 256;
// The weight of the newest sample in a route's average.
const NEWEST_WEIGHT = 0.25;

const waiting = Symbol("drover.slowLane.waiting");
type LaneSocket = Socket & { [waiting]?: number };

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
}

/** How requests start: `answer` wrapped in a slow lane, or `answer` itself with the lane off. */
export type LaneFactory = (answer: Answer) => Answer;

/** A LaneFactory: a slow lane for each server, or none when `thresholdMs` is 0. */
export function slowLanes(thresholdMs: number, events?: SlowLaneEvents): LaneFactory {
  if (thresholdMs <= 0) return (answer) => answer;
  return (answer) => {
    const lane = new SlowLane(answer, thresholdMs, events);
    return (request, response) => lane.serve(request, response);
  };
}

export class SlowLane {
  readonly #thresholdMs: number;
  readonly #events: SlowLaneEvents;
  // Only the routes that are slow, so that an app with none pays no lookup per request.
  readonly #slowRoutes = new Map<string, number>();
  // Each with its route when serve() worked it out (it did whenever a route was slow).
  readonly #queue: {
    readonly request: IncomingMessage;
    readonly response: ServerResponse;
    readonly route: string | undefined;
  }[] = [];
  readonly #answer: Answer;
  #scheduled = false;

  /** Requests to routes whose `answer` takes `thresholdMs` or more on average go in the lane. */
  constructor(answer: Answer, thresholdMs: number, events: SlowLaneEvents = {}) {
    this.#answer = answer;
    this.#thresholdMs = thresholdMs;
    this.#events = events;
  }

  /** Requests waiting in the lane. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** The routes held slow now, with their averages in ms. */
  get slowRoutes(): ReadonlyMap<string, number> {
    return this.#slowRoutes;
  }

  /** Answers `request` now, or from the lane when its route has been slow. */
  serve(request: IncomingMessage, response: ServerResponse): void {
    const socket = request.socket as LaneSocket;
    const route = this.#slowRoutes.size > 0 ? routeOf(request) : undefined;
    if ((socket[waiting] ?? 0) > 0 || (route !== undefined && this.#slowRoutes.has(route))) {
      socket[waiting] = (socket[waiting] ?? 0) + 1;
      this.#queue.push({ request, response, route });
      this.#events.queued?.(this.#queue.length);
      this.#schedule();
      return;
    }
    this.#timed(request, response, route);
  }

  #timed(request: IncomingMessage, response: ServerResponse, route: string | undefined): void {
    const started = performance.now();
    try {
      this.#answer(request, response);
    } finally {
      this.#learn(request, route, performance.now() - started);
    }
  }

  #learn(request: IncomingMessage, knownRoute: string | undefined, ms: number): void {
    if (knownRoute === undefined && ms < this.#thresholdMs) return;
    const route = knownRoute ?? routeOf(request);
    const average = this.#slowRoutes.get(route);
    if (average === undefined) {
      if (ms < this.#thresholdMs) return;
      if (this.#slowRoutes.size >= SLOW_ROUTES_KEPT) {
        const oldest = this.#slowRoutes.keys().next().value;
        if (oldest !== undefined) this.#slowRoutes.delete(oldest);
      }
      this.#slowRoutes.set(route, ms);
      this.#events.slowRoute?.(route, ms);
      return;
    }
    const next = average + (ms - average) * NEWEST_WEIGHT;
    // Half the threshold to leave, so that a route near it does not go in and out on every request.
    if (next < this.#thresholdMs / 2) this.#slowRoutes.delete(route);
    else this.#slowRoutes.set(route, next);
  }

  // One request from the lane per turn of the event loop: setImmediate runs after the poll phase, so
  // every request read in between has started before the next slow one does.
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#runNext());
  }

  #runNext(): void {
    this.#scheduled = false;
    const next = this.#queue.shift();
    if (!next) return;
    this.#events.started?.(this.#queue.length);
    // Scheduled first: a handler that throws must not stall the requests behind it.
    if (this.#queue.length > 0) this.#schedule();
    const socket = next.request.socket as LaneSocket;
    socket[waiting] = (socket[waiting] ?? 1) - 1;
    this.#timed(next.request, next.response, next.route ?? routeOf(next.request));
  }
}

/**
 * The route a request counts under: its method and path, without the query, and with every path
 * segment that holds a digit written `*`, so that `/report/2024/17` and `/report/2025/3` are one route.
 */
export function routeOf(request: Pick<IncomingMessage, "method" | "url">): string {
  const url = request.url ?? "";
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  return `${request.method ?? "GET"} ${path.replace(DIGIT_SEGMENT, "/*")}`;
}

const DIGIT_SEGMENT = /\/[^/]*\d[^/]*/g;
