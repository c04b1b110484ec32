// The answer to one CALL, OPEN or CLOSE: the Reply the dispatcher is given. Only its first ok or fail
// counts; the connection decides whether it is still written. A call's cancellation goes to the
// handle the dispatcher returned for it; an OPEN's, to the signal it was given (made only for OPEN).
import type { ErrorCode } from "../../errors.ts";
import type { CallHandle, FailureDetails, Reply } from "../seam.ts";

export interface AnswerSink {
  answerOk(answer: Answer, body: Buffer, session: string | undefined): void;
  answerFail(answer: Answer, code: ErrorCode, message: string, details: FailureDetails | undefined): void;
}

export class Answer implements Reply {
  readonly id: number;
  /** What it answers: CALL, OPEN or CLOSE. */
  readonly kind: number;
  /** The call the dispatcher holds for it (a CALL it did not answer at once). */
  handle: CallHandle | undefined;
  readonly #sink: AnswerSink;
  #answered = false;
  #cancelled: Error | undefined;
  #controller: AbortController | undefined;

  constructor(sink: AnswerSink, id: number, kind: number) {
    this.#sink = sink;
    this.id = id;
    this.kind = kind;
  }

  /** Aborted once the caller cancels or goes away. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.#cancelled && !this.#controller.signal.aborted) this.#controller.abort(this.#cancelled);
    return this.#controller.signal;
  }

  get cancelled(): boolean {
    return this.#cancelled !== undefined;
  }

  /** The caller cancelled it or went away: the dispatcher is told (once). */
  cancel(reason: Error): void {
    if (this.#cancelled) return;
    this.#cancelled = reason;
    this.handle?.cancel(reason);
    this.#controller?.abort(reason);
  }

  ok(body: Buffer, session?: string): void {
    if (this.#answered) return;
    this.#answered = true;
    this.#sink.answerOk(this, body, session);
  }

  fail(code: ErrorCode, message: string, details?: FailureDetails): void {
    if (this.#answered) return;
    this.#answered = true;
    this.#sink.answerFail(this, code, message, details);
  }
}

/** A Reply for what nobody waits for (a session closed because its caller went away). */
export const NOBODY: Reply = { ok: () => {}, fail: () => {} };
