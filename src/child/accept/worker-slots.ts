// A child's worker slots: one per connection served at once. Each connection holds a slot for its life,
// and the slot's scoreboard record follows it: R until the first request, W while a request runs, K
// between requests on a keep-alive connection, G while draining, _ once the slot is free again.
//
// A connection that is not running a request (still sending its headers, or idle between requests)
// must not keep a real request out: when every slot is taken, the connection that has waited longest
// without a request is closed to make room, as Apache's event MPM closes lingering connections. Only
// when every slot runs a request (or waits too briefly to count as idle) does the child stop
// accepting (see saturation.ts).
//
// This runs on every connection and request, so it is called directly (by the child's listeners and
// the server's accounting) rather than through event listeners: a second listener on an event makes
// every emit copy its listener array, and `once` allocates.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Scoreboard } from "../../scoreboard/index.ts";
import { WorkerState } from "../../scoreboard/index.ts";
import type { WorkerRecordWriter } from "../../scoreboard/writers.ts";
import { shownRequestLine } from "./request-line.ts";
import { Saturation, type SaturationEvents } from "./saturation.ts";

/**
 * A connection waiting this long without a request may be closed to make room for a new one. Short,
 * so that a pool full of slow or idle connections still takes new ones quickly (it takes at most its
 * worker slots per this long), but not so short that a client whose request is still on its way (one
 * round trip after the connect) is cut for the next one.
 */
const EVICT_AFTER_IDLE_MS = 100;
interface Worker {
  readonly record: WorkerRecordWriter;
  /** Its connection, while it has one. */
  socket: Socket | undefined;
  /** The response being written on this worker's connection, while there is one. */
  response: ServerResponse | undefined;
  /** Since when its connection has waited for a request; 0 while one runs or it was upgraded. */
  idleSince: number;
  /** The connection's bytesWritten when its last response finished (0 on a new connection). */
  bytesBefore: number;
  /** The method and URL its record shows, so that the same request line again is not re-encoded. */
  method: string | undefined;
  url: string | undefined;
  /** Frees the slot when the connection closes (one function per worker, made once). */
  readonly release: () => void;
}

export interface WorkerSlotEvents extends SaturationEvents {
  /** A connection arrived (it holds a slot if one was free or could be made free). */
  readonly connected?: () => void;
  /** A connection waiting without a request was closed to make room for a new one. */
  readonly evicted?: () => void;
  /** A connection closed and gave its slot back. */
  readonly released?: () => void;
  /** A request's response finished. */
  readonly served?: () => void;
  /** The last busy slot came free. */
  readonly empty?: () => void;
}

const workerOf = Symbol("drover.worker");
type TrackedSocket = Socket & { [workerOf]?: Worker };

export class WorkerSlots {
  // Free slots as a stack: the most recently used slot is reused first, as in the seed's idle list.
  readonly #free: Worker[] = [];
  readonly #busy = new Set<Worker>();
  readonly #events: WorkerSlotEvents;
  readonly #extended: boolean;
  readonly #saturation: Saturation;
  #draining = false;
  #drainStart = 0;

  /** With `extended` false (extendedStatus off) requests are not recorded, only connection states. */
  constructor(
    scoreboard: Scoreboard,
    slot: number,
    workers: number,
    extended: boolean,
    events: WorkerSlotEvents = {},
  ) {
    this.#events = events;
    this.#extended = extended;
    this.#saturation = new Saturation(
      {
        free: () => this.#free.length,
        evictable: (now) => this.#oldestIdle(now) !== undefined,
        nextEvictable: () => this.#nextEvictable(),
      },
      workers,
      events,
    );
    for (let index = workers - 1; index >= 0; index--) {
      const worker: Worker = {
        record: scoreboard.workerWriter(slot, index),
        socket: undefined,
        response: undefined,
        idleSince: 0,
        bytesBefore: 0,
        method: undefined,
        url: undefined,
        release: () => this.#released(worker),
      };
      this.#free.push(worker);
    }
  }

  get idle(): number {
    return this.#free.length;
  }

  get busy(): number {
    return this.#busy.size;
  }

  /** Every worker slot is up and waiting: called once, when the child starts accepting. */
  ready(): void {
    for (const worker of this.#free) worker.record.setState(WorkerState.Ready);
  }

  /** A connection was accepted: it takes a slot. Called before the server sees it. */
  connected(socket: TrackedSocket): void {
    const now = Date.now();
    const worker = this.#free.pop() ?? this.#evict(now);
    // Set on every connection, with a worker or without: sockets that had it and sockets that did not
    // would have two hidden classes, and Node's code that handles every socket would slow down.
    socket[workerOf] = worker;
    // Connections beyond the slots arrive only in the moment between saturation and the listeners
    // closing; they are served all the same, just not shown on the scoreboard.
    if (worker) {
      this.#busy.add(worker);
      worker.socket = socket;
      worker.bytesBefore = 0;
      worker.idleSince = now;
      worker.record.setState(this.#draining ? WorkerState.Graceful : WorkerState.Reading);
      socket.on("close", worker.release);
      if (this.#free.length === 0) this.#saturation.full(now);
    }
    // Last: the child may retire on this connection, and its drain must find it holding a slot.
    this.#events.connected?.();
  }

  /** A request arrived, before the app sees it. */
  requestStarted(request: IncomingMessage, response: ServerResponse): void {
    if (this.#draining) response.shouldKeepAlive = false;
    const worker = (request.socket as TrackedSocket)[workerOf];
    if (!worker) return;
    worker.response = response;
    worker.idleSince = 0;
    if (!this.#extended) return;
    const { method, url = "" } = request;
    if (method === worker.method && url === worker.url) {
      worker.record.requestStarted(undefined, Date.now());
    } else {
      worker.method = method;
      worker.url = url;
      worker.record.requestStarted(shownRequestLine(method, url), Date.now());
    }
  }

  /** Its response is sent; the worker waits on its keep-alive connection, or the connection closes. */
  requestFinished(response: ServerResponse, socket: Socket): void {
    const worker = (socket as TrackedSocket)[workerOf];
    this.#events.served?.();
    if (!worker || worker.response !== response) return;
    worker.response = undefined;
    const now = Date.now();
    worker.idleSince = now;
    if (!this.#extended) return;
    const next = this.#draining || !response.shouldKeepAlive ? WorkerState.Closing : WorkerState.Keepalive;
    // Read once a request, at its end: HTTP/1 writes nothing between one response and the next request.
    const written = socket.bytesWritten;
    worker.record.requestFinished(written - worker.bytesBefore, now, next);
    worker.bytesBefore = written;
  }

  /** The connection was upgraded (a WebSocket): it is busy for as long as it stays open. */
  upgraded(socket: Socket): void {
    const worker = (socket as TrackedSocket)[workerOf];
    if (!worker) return;
    worker.idleSince = 0;
    worker.record.setState(this.#draining ? WorkerState.Graceful : WorkerState.Writing);
  }

  /**
   * From now on every response closes its connection: those not started yet say `Connection: close`,
   * so keep-alive clients reconnect (to another child) instead of losing a request. Idle keep-alive
   * connections are not cut now, since one could cross a request the client is sending: closeIdle()
   * closes those that then stay silent.
   */
  drain(): void {
    this.#draining = true;
    this.#drainStart = Date.now();
    this.#saturation.drain();
    for (const worker of this.#busy) {
      worker.record.setState(WorkerState.Graceful);
      if (worker.response && !worker.response.headersSent) worker.response.shouldKeepAlive = false;
    }
    if (this.#busy.size === 0) this.#events.empty?.();
  }

  /**
   * Closes the connections silent for longer than `graceMs` since their last reply and since the drain
   * began. A draining child calls it: a client that uses its connection gets `Connection: close` on its
   * next request and leaves cleanly, so only connections that stay silent are cut, and the drain does
   * not wait for the server's keep-alive timeout (72 s in Fastify). Upgraded connections and responses
   * still being written are not idle: only the drain's deadline (closeAll) ends them.
   */
  closeIdle(graceMs: number): void {
    // Deferred past the poll phase: a request that arrived while the event loop was busy is read
    // (and its connection is no longer idle) before anything is closed.
    setImmediate(() => {
      const now = Date.now();
      for (const worker of this.#busy) {
        const silentSince = Math.max(worker.idleSince, this.#drainStart);
        if (worker.idleSince > 0 && now - silentSince >= graceMs) worker.socket?.destroy();
      }
    });
  }

  /** Closes every connection: the drain's deadline passed. */
  closeAll(): void {
    for (const worker of this.#busy) worker.socket?.destroy();
  }

  // The longest-waiting connection without a request, closed so that its slot can take a new one.
  #evict(now: number): Worker | undefined {
    if (this.#draining) return undefined;
    const oldest = this.#oldestIdle(now);
    if (!oldest) return undefined;
    oldest.socket?.destroy();
    this.#released(oldest);
    this.#events.evicted?.();
    return this.#free.pop();
  }

  #oldestIdle(now: number): Worker | undefined {
    let oldest: Worker | undefined;
    for (const worker of this.#busy) {
      if (worker.idleSince === 0 || now - worker.idleSince < EVICT_AFTER_IDLE_MS) continue;
      if (!oldest || worker.idleSince < oldest.idleSince) oldest = worker;
    }
    return oldest;
  }

  // When the connection that has waited longest without a request may be closed for a new one.
  #nextEvictable(): number | undefined {
    let earliest: number | undefined;
    for (const { idleSince } of this.#busy)
      if (idleSince > 0 && (earliest === undefined || idleSince < earliest)) earliest = idleSince;
    return earliest === undefined ? undefined : earliest + EVICT_AFTER_IDLE_MS;
  }

  #released(worker: Worker): void {
    worker.socket?.off("close", worker.release);
    worker.response = undefined;
    worker.socket = undefined;
    worker.idleSince = 0;
    worker.record.setState(WorkerState.Ready);
    this.#busy.delete(worker);
    this.#free.push(worker);
    this.#events.released?.();
    this.#saturation.freed();
    if (this.#busy.size === 0) this.#events.empty?.();
  }
}
