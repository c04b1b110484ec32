// The answer to one CALL, OPEN or CLOSE: the Reply the dispatcher is given. Only its first ok or fail
// counts; the connection decides whether it is still written.
import type { ErrorCode } from "../../errors.ts";
import type { FailureDetails, Reply } from "../seam.ts";

export interface AnswerSink {
  answerOk(answer: Answer, body: Buffer, session: string | undefined): void;
  answerFail(answer: Answer, code: ErrorCode, message: string, details: FailureDetails | undefined): void;
}

export class Answer implements Reply {
  readonly controller = new AbortController();
  readonly id: number;
  /** What it answers: CALL, OPEN or CLOSE. */
  readonly kind: number;
  readonly #sink: AnswerSink;
  #answered = false;

  constructor(sink: AnswerSink, id: number, kind: number) {
    this.#sink = sink;
    this.id = id;
    this.kind = kind;
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
