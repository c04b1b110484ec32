// One caller's connection to the service socket: frames in, each checked before anything acts on it,
// calls handed to the dispatcher, each answer written once. A bad frame closes this connection only.
// What a connection may hold is bounded: the frame being read (at most the service's body limit, and
// for at most halfFrameTimeoutMs without a byte), and replies the caller does not read (reply-writer.ts).
// When the caller goes away its calls are aborted and the sessions it opened are closed.
import type { Socket } from "node:net";
import { FrameError, FrameReader, type FrameSink, type Header } from "../../dispatch/wire/frames.ts";
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
import type { Dispatcher, FailureDetails } from "../seam.ts";
import { Answer, type AnswerSink, NOBODY } from "./answer.ts";
import { errorHeader } from "./error-header.ts";
import { badHeader, kindName } from "./frame-names.ts";
import { ReplyWriter } from "./reply-writer.ts";
import { StallTimer } from "./stall-timer.ts";

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

export class EmbeddedConnection implements FrameSink, AnswerSink {
  /** Settles once the socket is closed. */
  readonly closed: Promise<void>;
  readonly #socket: Socket;
  readonly #dispatcher: Dispatcher;
  readonly #log: EmbeddedLog;
  readonly #limits: EmbeddedLimits;
  readonly #reader: FrameReader;
  readonly #writer: ReplyWriter;
  readonly #inFlight = new Map<number, Answer>();
  // Sessions this caller opened and has not closed: closed for it when it goes away.
  readonly #sessions = new Set<string>();
  readonly #halfFrame: StallTimer;
  // Closed or closing: frames are no longer acted on, answers no longer written.
  #ending = false;

  constructor(socket: Socket, dispatcher: Dispatcher, log: EmbeddedLog, limits: EmbeddedLimits) {
    this.#socket = socket;
    this.#dispatcher = dispatcher;
    this.#log = log;
    this.#limits = limits;
    this.#reader = new FrameReader(this);
    this.#writer = new ReplyWriter(socket, limits.maxWriteBufferBytes, () => this.#ending);
    this.#halfFrame = new StallTimer(limits.halfFrameTimeoutMs, () => this.#halfFrameStalled());
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
      this.#writer.flush();
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
    if (this.#reader.atBoundary) this.#halfFrame.stop();
    else this.#halfFrame.touch();
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
    this.#writer.frame(Kind.ERROR, errorHeader(call.id, ErrorCode.MESSAGE_TOO_LARGE, message, undefined));
  }

  frame({ kind, header, body }: { kind: number; header: Header; body: Buffer }): void {
    if (this.#ending) return;
    switch (kind) {
      case Kind.CALL: {
        const call = header as unknown as CallHeader;
        const answer = this.#admit(call.id, kind);
        try {
          answer.handle = this.#dispatcher.call(
            {
              service: call.service,
              method: call.method,
              params: body,
              timeoutMs: call.timeoutMs,
              session: call.session,
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
          ?.cancel(new DroverError(ErrorCode.DISPATCH_CANCELLED, "the caller cancelled the call"));
        return;
      case Kind.OPEN: {
        const open = header as unknown as OpenHeader;
        const answer = this.#admit(open.id, kind);
        try {
          this.#dispatcher.open(open.service, open.timeoutMs, answer.signal, answer);
        } catch (error) {
          this.#dispatcherThrew(answer, `opening a session of ${open.service}`, error);
        }
        return;
      }
      case Kind.CLOSE: {
        const close = header as unknown as CloseHeader;
        const answer = this.#admit(close.id, kind);
        this.#sessions.delete(close.session);
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
    const live = this.#settle(answer);
    if (answer.kind === Kind.OPEN) this.#opened(answer, session, live);
    else if (!live) return;
    else if (answer.kind === Kind.CALL) this.#writer.result(answer.id, body);
    else this.#writer.frame(Kind.CLOSED, { id: answer.id });
  }

  answerFail(answer: Answer, code: ErrorCode, message: string, details: FailureDetails | undefined): void {
    if (this.#settle(answer)) this.#writer.frame(Kind.ERROR, errorHeader(answer.id, code, message, details));
  }

  #opened(answer: Answer, session: string | undefined, live: boolean): void {
    if (typeof session !== "string" || !isWireName(session)) {
      const message = `the dispatcher opened a session without a valid id (${String(session)}): a bug in drover`;
      if (live)
        this.#writer.frame(Kind.ERROR, errorHeader(answer.id, ErrorCode.INTERNAL, message, undefined));
      return;
    }
    // Opened for a caller that is gone or gave up waiting: nobody could ever use or close it.
    if (!live || answer.cancelled) {
      this.#release(session);
      return;
    }
    this.#sessions.add(session);
    this.#writer.frame(Kind.OPENED, { id: answer.id, session });
  }

  /** Takes `answer` out of the calls in flight; whether its reply is still to be written. */
  #settle(answer: Answer): boolean {
    if (this.#inFlight.get(answer.id) !== answer) return false;
    this.#inFlight.delete(answer.id);
    return !this.#ending;
  }

  #release(session: string): void {
    try {
      this.#dispatcher.close(session, NOBODY, "gone");
    } catch (error) {
      this.#log.warn({ err: error, session }, `the dispatcher failed to close session ${session}`);
    }
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

  #halfFrameStalled(): void {
    if (this.#ending || this.#reader.atBoundary) return;
    // Not read because its caller does not read its replies: the unfinished frame is not its stall.
    if (this.#writer.waitingForDrain) {
      this.#halfFrame.touch();
      return;
    }
    this.#refuse(
      `it left a frame unfinished for ${this.#limits.halfFrameTimeoutMs / 1000} s ` +
        `(${this.#reader.pending} bytes of it held)`,
    );
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

  /** The connection is closing: its calls in flight are aborted (no answer is written), its sessions closed. */
  #gone(why: string): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#halfFrame.stop();
    this.#socket.pause();
    if (this.#inFlight.size > 0) {
      const reason = new DroverError(ErrorCode.DISPATCH_CANCELLED, `the caller is gone: ${why}`);
      const answers = [...this.#inFlight.values()];
      this.#inFlight.clear();
      for (const answer of answers) answer.cancel(reason);
    }
    const sessions = [...this.#sessions];
    this.#sessions.clear();
    for (const session of sessions) this.#release(session);
  }
}
