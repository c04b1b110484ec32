// The master's life as one queue of operations: the first start, then reloads and restarts, run one
// at a time, each under an AbortSignal. A stop aborts the operation in progress and everything queued,
// and wins: once it has begun, no operation starts. A reload asked while another reload waits to run
// joins that one instead of queueing a third: it will read the config after every request made so
// far, so each caller gets the generation that applies the config it wrote.
import { DroverError, ErrorCode } from "../errors.ts";

export type MasterState = "starting" | "running" | "stopping" | "stopped";
export type OperationKind = "start" | "reload" | "restart" | "upgrade";

interface Queued {
  readonly kind: OperationKind;
  readonly run: (signal: AbortSignal) => Promise<unknown>;
  readonly promise: Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class Lifecycle {
  #state: MasterState = "starting";
  readonly #stop = new AbortController();
  #current: { readonly kind: OperationKind; readonly settled: Promise<unknown> } | undefined;
  readonly #queue: Queued[] = [];

  get state(): MasterState {
    return this.#state;
  }

  get stopping(): boolean {
    return this.#state === "stopping" || this.#state === "stopped";
  }

  /** Aborted the moment a stop begins: every operation and every wait of one listens to it. */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** The kind of operation in progress, if any. */
  get busy(): OperationKind | undefined {
    return this.#current?.kind;
  }

  /**
   * Runs `operation` once those before it have finished. Rejects with DROVER_ERR_STOPPING when a stop
   * begins first (or during it: the operation's signal is aborted and it should give up promptly).
   */
  enqueue<T>(kind: OperationKind, operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.stopping) return Promise.reject(stoppingError(kind));
    if (kind === "reload" || kind === "restart" || kind === "upgrade") {
      const waiting = this.#queue.find((queued) => queued.kind === kind);
      if (waiting) return waiting.promise as Promise<T>;
    }
    let resolve!: (value: unknown) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#queue.push({ kind, run: operation, promise, resolve, reject });
    this.#next();
    return promise as Promise<T>;
  }

  /** The first start is done: the master serves. */
  running(): void {
    if (this.#state === "starting") this.#state = "running";
  }

  /**
   * Begins the stop: aborts the operation in progress, refuses the queued ones, and resolves once the
   * one in progress has settled (its own clean-up has run). Idempotent.
   */
  async beginStop(): Promise<void> {
    if (!this.stopping) {
      this.#state = "stopping";
      this.#stop.abort(new DroverError(ErrorCode.STOPPING, "the master is stopping"));
      for (const queued of this.#queue.splice(0)) queued.reject(stoppingError(queued.kind));
    }
    await this.#current?.settled.catch(() => {});
  }

  stopped(): void {
    this.#state = "stopped";
  }

  #next(): void {
    if (this.#current || this.stopping) return;
    const queued = this.#queue.shift();
    if (!queued) return;
    const settled = (async () => {
      try {
        queued.resolve(await queued.run(this.#stop.signal));
      } catch (error) {
        queued.reject(this.#stop.signal.aborted ? stoppingError(queued.kind, error) : error);
      }
    })();
    this.#current = { kind: queued.kind, settled };
    void settled.finally(() => {
      this.#current = undefined;
      this.#next();
    });
  }
}

function stoppingError(kind: OperationKind, cause?: unknown): DroverError {
  const what = kind === "start" ? "the start" : `this ${kind}`;
  return new DroverError(ErrorCode.STOPPING, `the master is stopping: ${what} was abandoned`, { cause });
}
