// The client's one connection to the master's service socket. Requests (CALL, OPEN, CLOSE) wait in
// `pending` by id for their reply; each settles exactly once, by whichever comes first: the reply,
// the caller's signal (a CANCEL goes out, the master's late reply is dropped), the client-side
// deadline (the timeout plus a grace, for a master that is gone or stopped), or the connection closing.
// While nothing is pending the socket does not keep the process alive.
import type { Socket } from "node:net";
import { deserialize } from "node:v8";
import { FrameWriter } from "../dispatch/wire/frame-writer.ts";
import {
  encodeFrame,
  FrameError,
  FrameReader,
  type FrameSink,
  type Header,
} from "../dispatch/wire/frames.ts";
import { type ErrorHeader, isValidHeader, Kind, REPLY_KINDS } from "../dispatch/wire/messages.ts";
import { ErrorCode as Code, type ErrorCode } from "../errors.ts";
import { DispatchError } from "./errors.ts";

/** How long after its timeout a call is given up on here if the master has not answered. */
export const GRACE_MS = 1_000;
const SWEEP_MS = 100;
// Ids are safe integers up to 2 ** 48 (messages.ts); a connection would take years to use them up.
const LAST_ID = 2 ** 48;

/** One request waiting for its reply. */
class Pending {
  readonly id: number;
  /** The reply kind that answers it: RESULT, OPENED or CLOSED (or ERROR, always). */
  readonly expects: number;
  readonly service: string;
  /** The method called; for a CLOSE, the session closed. */
  readonly method: string;
  readonly timeoutMs: number | undefined;
  /** performance.now() after which it is given up on; Infinity for none. */
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  onAbort: (() => void) | undefined = undefined;

  constructor(
    id: number,
    expects: number,
    service: string,
    method: string,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    resolve: (value: unknown) => void,
    reject: (error: Error) => void,
  ) {
    this.id = id;
    this.expects = expects;
    this.service = service;
    this.method = method;
    this.timeoutMs = timeoutMs;
    this.deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs + GRACE_MS;
    this.signal = signal;
    this.resolve = resolve;
    this.reject = reject;
  }

  get what(): string {
    return describe(this.expects, this.service, this.method);
  }
}

/** A request, for messages: "math.add", "opening a session of math", "closing session s-1 of math". */
function describe(expects: number, service: string, method: string): string {
  if (expects === Kind.OPENED) return `opening a session of ${service}`;
  if (expects === Kind.CLOSED) return `closing session ${method} of ${service}`;
  return `${service}.${method}`;
}

export class ClientConnection implements FrameSink {
  readonly path: string;
  /** Settles once the socket is closed. */
  readonly closed: Promise<void>;
  readonly #socket: Socket;
  readonly #reader: FrameReader;
  // Calls sent together (64 in flight) go out in one write.
  readonly #writer: FrameWriter;
  readonly #pending = new Map<number, Pending>();
  #lastId = 0;
  #timed = 0;
  #sweeper: NodeJS.Timeout | undefined;
  // Why the connection closed (or is closing); undefined while it is open.
  #closedBecause: string | undefined;

  constructor(socket: Socket, path: string) {
    this.path = path;
    this.#socket = socket;
    this.#reader = new FrameReader(this);
    this.#writer = new FrameWriter(socket);
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (chunk: Buffer) => {
      try {
        this.#reader.push(chunk);
      } catch (error) {
        this.#close(`the master sent ${(error as Error).message}`);
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      this.#closedBecause ??= error.code ?? error.message;
    });
    socket.once("close", () =>
      this.#close(this.#closedBecause ?? "the master closed it, or stopped or died"),
    );
    socket.unref();
  }

  nextId(): number {
    this.#lastId = this.#lastId >= LAST_ID ? 1 : this.#lastId + 1;
    return this.#lastId;
  }

  /**
   * Sends `frame` (request `id`, answered by `expects`) and settles with its reply: the result's
   * value, the session id, or undefined for CLOSED.
   */
  request(
    id: number,
    expects: number,
    frame: Buffer,
    service: string,
    method: string,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    if (this.#closedBecause !== undefined) {
      return Promise.reject(
        this.#connectionError(this.#closedBecause, describe(expects, service, method), false),
      );
    }
    if (signal?.aborted) return Promise.reject(cancelled(describe(expects, service, method), signal));
    return new Promise((resolve, reject) => {
      const pending = new Pending(id, expects, service, method, timeoutMs, signal, resolve, reject);
      this.#pending.set(id, pending);
      if (this.#pending.size === 1) this.#socket.ref();
      if (pending.deadline !== Infinity && this.#timed++ === 0) {
        this.#sweeper = setInterval(() => this.#sweep(), SWEEP_MS);
        this.#sweeper.unref();
      }
      if (signal) {
        pending.onAbort = () => this.#cancel(pending);
        signal.addEventListener("abort", pending.onAbort, { once: true });
      }
      this.#writer.write([frame]);
    });
  }

  /** Closes the connection; every pending request rejects with DISPATCH_CONNECTION. */
  close(): Promise<void> {
    this.#close("the client was closed (client.close())");
    return this.closed;
  }

  // FrameSink: replies of any size are taken (the master caps them with the service's maxMessageBytes).
  bodyLimit(): number {
    return Number.MAX_SAFE_INTEGER;
  }

  oversize(): void {}

  frame({ kind, header, body }: { kind: number; header: Header; body: Buffer }): void {
    if (!isValidHeader(kind, header, REPLY_KINDS)) {
      throw new FrameError(`a malformed reply (kind ${kind}): ${JSON.stringify(header).slice(0, 200)}`);
    }
    const pending = this.#pending.get(header.id as number);
    // A late reply to a request given up on (cancelled, timed out).
    if (!pending) return;
    if (kind !== pending.expects && kind !== Kind.ERROR) {
      throw new FrameError(
        `a reply of kind ${kind} to request ${pending.id}, which expects ${pending.expects}`,
      );
    }
    this.#forget(pending);
    if (kind === Kind.RESULT) {
      let value: unknown;
      try {
        value = deserialize(body);
      } catch (error) {
        const message = `the result of ${pending.what} could not be read: ${(error as Error).message}`;
        pending.reject(new DispatchError(Code.DISPATCH_BAD_MESSAGE, message, { cause: error }));
        return;
      }
      pending.resolve(value);
    } else if (kind === Kind.OPENED) pending.resolve(header.session);
    else if (kind === Kind.CLOSED) pending.resolve(undefined);
    else {
      const error = header as unknown as ErrorHeader;
      pending.reject(
        new DispatchError(error.code as ErrorCode, error.message, {
          remote: error.remote,
          methods: error.methods,
        }),
      );
    }
  }

  #forget(pending: Pending): void {
    this.#pending.delete(pending.id);
    if (this.#pending.size === 0 && this.#closedBecause === undefined) this.#socket.unref();
    if (pending.deadline !== Infinity && --this.#timed === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
    if (pending.onAbort) pending.signal?.removeEventListener("abort", pending.onAbort);
  }

  #cancel(pending: Pending): void {
    if (this.#pending.get(pending.id) !== pending) return;
    this.#forget(pending);
    this.#sendCancel(pending.id);
    pending.reject(cancelled(pending.what, pending.signal));
  }

  #sweep(): void {
    const now = performance.now();
    for (const pending of this.#pending.values()) {
      if (pending.deadline > now) continue;
      this.#forget(pending);
      this.#sendCancel(pending.id);
      const seconds = (pending.timeoutMs ?? 0) / 1000;
      pending.reject(
        new DispatchError(
          Code.DISPATCH_TIMEOUT,
          `${pending.what} got no answer from the master on ${this.path} within its ${seconds} s timeout ` +
            `and ${GRACE_MS / 1000} s more: the master may be stopped, stuck or gone (see drover status)`,
        ),
      );
    }
  }

  #sendCancel(id: number): void {
    if (this.#closedBecause === undefined) this.#writer.write(encodeFrame(Kind.CANCEL, { id }));
  }

  #close(why: string): void {
    this.#closedBecause ??= why;
    this.#socket.destroy();
    const reason = this.#closedBecause;
    for (const pending of [...this.#pending.values()]) {
      this.#forget(pending);
      pending.reject(this.#connectionError(reason, pending.what));
    }
  }

  // `sent`: the request went out before the connection closed, so it may have run.
  #connectionError(why: string, what: string, sent = true): DispatchError {
    const outcome = sent ? `${what} may or may not have run` : `${what} was not sent`;
    return new DispatchError(
      Code.DISPATCH_CONNECTION,
      `the connection to the master closed: ${why} (${this.path}); ${outcome}: connect again (see drover status)`,
    );
  }
}

function cancelled(what: string, signal: AbortSignal | undefined): DispatchError {
  const reason = signal?.reason;
  const why =
    reason instanceof Error ? `: ${reason.message}` : reason === undefined ? "" : `: ${String(reason)}`;
  return new DispatchError(Code.DISPATCH_CANCELLED, `${what} was cancelled by its signal${why}`, {
    cause: reason,
  });
}
