// A child's worker slots: one per connection served at once. Each connection holds a slot for its life,
// and the slot's scoreboard record follows it: W while a request runs, K between requests on a
// keep-alive connection, _ once the slot is free again.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Scoreboard } from "../scoreboard/index.ts";
import { WorkerState } from "../scoreboard/index.ts";
import type { WorkerRecordWriter } from "../scoreboard/writers.ts";

interface Worker {
  readonly index: number;
  readonly record: WorkerRecordWriter;
}

const workerOf = Symbol("drover.worker");
type TrackedSocket = Socket & { [workerOf]?: Worker };

export class WorkerSlots {
  // Free slots as a stack: the most recently used slot is reused first, as its records are warm.
  readonly #free: Worker[] = [];
  readonly #size: number;
  readonly #onConnection: () => void;

  constructor(scoreboard: Scoreboard, slot: number, workers: number, onConnection: () => void = () => {}) {
    this.#size = workers;
    this.#onConnection = onConnection;
    for (let index = workers - 1; index >= 0; index--) {
      const record = scoreboard.workerWriter(slot, index);
      record.setState(WorkerState.Ready);
      this.#free.push({ index, record });
    }
  }

  get idle(): number {
    return this.#free.length;
  }

  get busy(): number {
    return this.#size - this.#free.length;
  }

  /** Accounts every connection and request of `server` in the scoreboard. */
  attach(server: Server): void {
    server.on("connection", (socket: TrackedSocket) => this.#connected(socket));
    server.on("request", (request: IncomingMessage, response: ServerResponse) =>
      this.#request(request, response),
    );
  }

  #connected(socket: TrackedSocket): void {
    const worker = this.#free.pop();
    this.#onConnection();
    // More connections than slots can only happen while the listener is being paused; they are
    // served all the same, just not shown on the scoreboard.
    if (!worker) return;
    socket[workerOf] = worker;
    worker.record.setState(WorkerState.Reading);
    socket.once("close", () => {
      worker.record.setState(WorkerState.Ready);
      this.#free.push(worker);
    });
  }

  #request(request: IncomingMessage, response: ServerResponse): void {
    const socket = request.socket as TrackedSocket;
    const worker = socket[workerOf];
    if (!worker) return;
    const bytesBefore = socket.bytesWritten;
    worker.record.requestStarted(`${request.method} ${request.url}`, Date.now());
    response.once("finish", () => {
      const keepAlive = !response.shouldKeepAlive ? WorkerState.Closing : WorkerState.Keepalive;
      worker.record.requestFinished(socket.bytesWritten - bytesBefore, Date.now(), keepAlive);
    });
  }
}
