// One caller's connection to the service socket: frames in, each checked before anything acts on it,
// calls handed to the dispatcher, each answer written once. A bad frame closes this connection only.
// What a connection may hold is bounded: the frame being read (at most the service's body limit, and
// for at most halfFrameTimeoutMs without a byte), and replies the caller does not read (past
// maxWriteBufferBytes the connection is not read, so it sends no more calls, until they drain).
import type { Socket } from "node:net";
import {
  FrameError,
  FrameReader,
  type FrameSink,
  type Header,
  PREFIX_BYTES,
  writeFrame,
} from "../../dispatch/wire/frames.ts";
import {
  type CallHeader,
  type CancelHeader,
  CLIENT_KINDS,
  type CloseHeader,
  isValidHeader,
  isWireName,
  Kind,
  type OpenHeader,
} from "../../dispatch/wire/messages.ts";
import { DroverError, ErrorCode } from "../../errors.ts";
import type { Dispatcher, FailureDetails, Reply } from "../seam.ts";
import { errorHeader } from "./error-header.ts";

export interface EmbeddedLimits {
  /** Replies buffered for a caller that does not read them, past which its connection is not read. */
  readonly maxWriteBufferBytes: number;
  /** A frame begun and not finished, with no byte for this long, closes its connection. */
  readonly halfFrameTimeoutMs: number;
  /** How long close() lets replies already written reach their caller. */
  readonly closeGraceMs: number;
}

/** Where the transport says what it refused (pino's Logger fits). */
export interface EmbeddedLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

const KIND_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Kind).map(([name, kind]) => [kind, name]),
);
const kindName = (kind: number): string => KIND_NAMES[kind] ?? `kind ${kind}`;
// Results up to this size are copied behind their header and written as one buffer.
const SMALL_RESULT_BYTES = 16 * 1024;

/** The answer to one CALL, OPEN or CLOSE; only its first ok or fail is written. */
class Answer implements Reply {
  readonly controller = new AbortController();
  readonly connection: EmbeddedConnection;
  readonly id: number;
  /** What it answers: CALL, OPEN or CLOSE. */
  readonly kind: number;

  constructor(connection: EmbeddedConnection, id: number, kind: number) {
    this.connection = connection;
    this.id = id;
    this.kind = kind;
  }

  ok(body: Buffer, session?: string): void {
    this.connection.answerOk(this, body, session);
  }

  fail(code: ErrorCode, message: string, details?: FailureDetails): void {
    this.connection.answerFail(this, code, message, details);
  }
}

export class EmbeddedConnection implements FrameSink {
  /** Settles once the socket is closed. */
  readonly closed: Promise<void>;
  readonly #socket: Socket;
  readonly #dispatcher: Dispatcher;
  readonly #log: EmbeddedLog;
  readonly #limits: EmbeddedLimits;
  readonly #reader: FrameReader;
  readonly #inFlight = new Map<number, Answer>();
  #halfFrameTimer: NodeJS.Timeout | undefined;
  #waitingForDrain = false;
  // Closed or closing: frames are no longer acted on, answers no longer written.
  #ending = false;

  constructor(socket: Socket, dispatcher: Dispatcher, log: EmbeddedLog, limits: EmbeddedLimits) {
    this.#socket = socket;
    this.#dispatcher = dispatcher;
    this.#log = log;
    this.#limits = limits;
    this.#reader = new FrameReader(this);
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    // A caller that goes away is no error of the master's; 'close' follows.
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    socket.once("close", () => this.#gone("its connection closed"));
  }

  /** Bytes received and not yet part of a whole frame. */
  get bufferedBytes(): number {
    return this.#reader.pending;
  }

  /** Ends the connection: its calls are aborted, replies already written may reach it within the grace. */
  shutDown(): Promise<void> {
    if (!this.#ending) {
      this.#gone("the master closed its service socket");
      this.#socket.end();
      const timer = setTimeout(() => this.#socket.destroy(), this.#limits.closeGraceMs);
      void this.closed.then(() => clearTimeout(timer));
    }
    return this.closed;
  }

  #receive(chunk: Buffer): void {
    if (this.#ending) return;
    try {
      this.#reader.push(chunk);
    } catch (error) {
      this.#refuse(error instanceof FrameError ? error.message : `reading it failed: ${String(error)}`);
      return;
    }
    if (this.#reader.atBoundary) this.#stopHalfFrameTimer();
    else if (this.#halfFrameTimer) this.#halfFrameTimer.refresh();
    else {
      this.#halfFrameTimer = setTimeout(() => this.#halfFrameIdle(), this.#limits.halfFrameTimeoutMs);
      this.#halfFrameTimer.unref();
    }
  }

  // FrameSink: a header is checked as soon as it is in, before its body is read.
  bodyLimit(kind: number, header: Header): number {
    if (!isValidHeader(kind, header, CLIENT_KINDS)) throw new FrameError(badHeader(kind, header));
    return kind === Kind.CALL ? this.#dispatcher.bodyLimit((header as unknown as CallHeader).service) : 0;
  }

  oversize(kind: number, header: Header, bodyBytes: number): void {
    if (kind !== Kind.CALL) {
      throw new FrameError(`a ${kindName(kind)} frame carried a ${bodyBytes}-byte body (only CALL has one)`);
    }
    const call = header as unknown as CallHeader;
    this.#refuseDuplicate(call.id);
    const limit = this.#dispatcher.bodyLimit(call.service);
    const message =
      `the params of ${call.service}.${call.method} are ${bodyBytes} bytes, over the ${limit} bytes ` +
      `${call.service} takes: send less in one call, or raise the service's maxMessageBytes`;
    this.#write(Kind.ERROR, errorHeader(call.id, ErrorCode.MESSAGE_TOO_LARGE, message, undefined));
  }

  frame({ kind, header, body }: { kind: number; header: Header; body: Buffer }): void {
    if (this.#ending) return;
    switch (kind) {
      case Kind.CALL: {
        const call = header as unknown as CallHeader;
        const answer = this.#admit(call.id, kind);
        try {
          this.#dispatcher.call(
            {
              service: call.service,
              method: call.method,
              params: body,
              timeoutMs: call.timeoutMs,
              session: call.session,
              signal: answer.controller.signal,
            },
            answer,
          );
        } catch (error) {
          this.#dispatcherThrew(answer, `${call.service}.${call.method}`, error);
        }
        return;
      }
      case Kind.CANCEL:
        this.#inFlight
          .get((header as unknown as CancelHeader).id)
          ?.controller.abort(new DroverError(ErrorCode.DISPATCH_CANCELLED, "the caller cancelled the call"));
        return;
      case Kind.OPEN: {
        const open = header as unknown as OpenHeader;
        const answer = this.#admit(open.id, kind);
        try {
          this.#dispatcher.open(open.service, open.timeoutMs, answer.controller.signal, answer);
        } catch (error) {
          this.#dispatcherThrew(answer, `opening a session of ${open.service}`, error);
        }
        return;
      }
      case Kind.CLOSE: {
        const close = header as unknown as CloseHeader;
        const answer = this.#admit(close.id, kind);
        try {
          this.#dispatcher.close(close.session, answer);
        } catch (error) {
          this.#dispatcherThrew(answer, `closing session ${close.session}`, error);
        }
        return;
      }
    }
  }

  answerOk(answer: Answer, body: Buffer, session: string | undefined): void {
    if (!this.#settle(answer)) return;
    if (answer.kind === Kind.CALL) this.#writeResult(answer.id, body);
    else if (answer.kind === Kind.CLOSE) this.#write(Kind.CLOSED, { id: answer.id });
    else if (typeof session === "string" && isWireName(session)) {
      this.#write(Kind.OPENED, { id: answer.id, session });
    } else {
      const message = `the dispatcher opened a session without a valid id (${String(session)}): a bug in drover`;
      this.#write(Kind.ERROR, errorHeader(answer.id, ErrorCode.INTERNAL, message, undefined));
    }
  }

  answerFail(answer: Answer, code: ErrorCode, message: string, details: FailureDetails | undefined): void {
    if (this.#settle(answer)) this.#write(Kind.ERROR, errorHeader(answer.id, code, message, details));
  }

  /** Whether `answer` is the first for its id (it leaves the calls in flight); false once the caller is gone. */
  #settle(answer: Answer): boolean {
    if (this.#inFlight.get(answer.id) !== answer) return false;
    this.#inFlight.delete(answer.id);
    return !this.#ending;
  }

  #admit(id: number, kind: number): Answer {
    this.#refuseDuplicate(id);
    const answer = new Answer(this, id, kind);
    this.#inFlight.set(id, answer);
    return answer;
  }

  #refuseDuplicate(id: number): void {
    if (this.#inFlight.has(id)) throw new FrameError(`it sent id ${id} again while that call was in flight`);
  }

  #dispatcherThrew(answer: Answer, what: string, error: unknown): void {
    const message = `the dispatcher failed on ${what}: ${(error as Error)?.message ?? String(error)}`;
    this.#log.warn({ err: error }, message);
    answer.fail(ErrorCode.INTERNAL, `${message} (a bug in drover: report it with the master's log)`);
  }

  // The hot path: a small result goes out as one buffer, in one write.
  #writeResult(id: number, body: Buffer): void {
    if (body.length > SMALL_RESULT_BYTES) {
      this.#write(Kind.RESULT, { id }, body);
      return;
    }
    const header = `{"id":${id}}`;
    const frame = Buffer.allocUnsafe(PREFIX_BYTES + header.length + body.length);
    frame.writeUInt32BE(5 + header.length + body.length, 0);
    frame[4] = Kind.RESULT;
    frame.writeUInt32BE(header.length, 5);
    frame.write(header, PREFIX_BYTES, "latin1");
    body.copy(frame, PREFIX_BYTES + header.length);
    this.#socket.write(frame);
    this.#holdBackIfUnread();
  }

  #write(kind: number, header: Header, body?: Buffer): void {
    writeFrame(this.#socket, kind, header, body);
    this.#holdBackIfUnread();
  }

  #holdBackIfUnread(): void {
    const socket = this.#socket;
    if (this.#waitingForDrain || socket.writableLength <= this.#limits.maxWriteBufferBytes) return;
    // The caller does not read its replies: read no more of its calls until it does.
    this.#waitingForDrain = true;
    socket.pause();
    socket.once("drain", () => {
      this.#waitingForDrain = false;
      if (!this.#ending) socket.resume();
    });
  }

  #halfFrameIdle(): void {
    this.#halfFrameTimer = undefined;
    if (this.#ending || this.#reader.atBoundary) return;
    // Not read because its caller does not read: the unfinished frame is not the caller's stall.
    if (this.#waitingForDrain) {
      this.#halfFrameTimer = setTimeout(() => this.#halfFrameIdle(), this.#limits.halfFrameTimeoutMs);
      this.#halfFrameTimer.unref();
      return;
    }
    this.#refuse(
      `it left a frame unfinished for ${this.#limits.halfFrameTimeoutMs / 1000} s ` +
        `(${this.#reader.pending} bytes of it held)`,
    );
  }

  #stopHalfFrameTimer(): void {
    clearTimeout(this.#halfFrameTimer);
    this.#halfFrameTimer = undefined;
  }

  /** Closes a connection that sent something other than well-formed frames of a caller. */
  #refuse(reason: string): void {
    if (this.#ending) return;
    this.#log.warn(
      { reason, code: ErrorCode.DISPATCH_BAD_MESSAGE },
      `service socket: closed a caller's connection: ${reason}`,
    );
    this.#gone("its connection sent a bad message");
    this.#socket.destroy();
  }

  /** The connection is closing: every call still in flight is aborted, no answer is written. */
  #gone(why: string): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#stopHalfFrameTimer();
    this.#socket.pause();
    if (this.#inFlight.size === 0) return;
    const reason = new DroverError(ErrorCode.DISPATCH_CANCELLED, `the caller is gone: ${why}`);
    const answers = [...this.#inFlight.values()];
    this.#inFlight.clear();
    for (const answer of answers) answer.controller.abort(reason);
  }
}

function badHeader(kind: number, header: Header): string {
  if (!CLIENT_KINDS.includes(kind))
    return `it sent a frame of ${kindName(kind)}, which a caller may not send`;
  return `its ${kindName(kind)} frame has a malformed header: ${JSON.stringify(header).slice(0, 200)}`;
}
