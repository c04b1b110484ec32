// A drone's open sessions (OpenSRF's CONNECT ... DISCONNECT): each has a store that lives as long as
// it does, holds one worker record (`K` between its calls), and runs the service's onConnect when it
// opens and onDisconnect when it ends, however it ends. A session ends once its running calls have.
import type { DisconnectHeader, DoneHeader, RemoteError, SessionEnd } from "../dispatch/wire/messages.ts";
import { ErrorCode } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { DroneContext, ServiceDefinition, SessionContext } from "../service/define.ts";
import { droverFailure, thrownFailure } from "./failures.ts";
import { boundedHook } from "./service-hooks.ts";
import type { WorkerRecords } from "./workers.ts";

export interface OpenSession {
  readonly context: SessionContext;
  /** The worker record the session holds. */
  readonly worker: number;
  /** Settles once onConnect has (the session is usable if it is still open then). */
  opening: Promise<void>;
  open: boolean;
  closing: boolean;
  running: number;
  idle: (() => void) | undefined;
}

export interface SessionParts {
  readonly service: ServiceDefinition;
  readonly context: DroneContext;
  readonly hookTimeoutMs: number;
  readonly workers: WorkerRecords;
  readonly log: Logger;
  readonly done: (header: DoneHeader) => void;
  /** Why a new session is refused now (the drone stops), or undefined. */
  readonly refusal: () => RemoteError | undefined;
}

export class Sessions {
  readonly #parts: SessionParts;
  readonly #sessions = new Map<string, OpenSession>();

  constructor(parts: SessionParts) {
    this.#parts = parts;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The session if it is open and not ending. */
  live(id: string): OpenSession | undefined {
    const session = this.#sessions.get(id);
    return session?.open && !session.closing ? session : undefined;
  }

  async connect(id: number, sessionId: string): Promise<void> {
    const { workers, done, service, context } = this.#parts;
    const refusal = this.#parts.refusal() ?? this.#cannotOpen(sessionId);
    if (refusal) {
      done({ id, ok: false, error: refusal });
      return;
    }
    // #cannotOpen found a free one.
    const worker = workers.free() as number;
    let opened = () => {};
    const session: OpenSession = {
      context: Object.freeze({ id: sessionId, store: new Map<string, unknown>() }),
      worker,
      opening: new Promise((resolve) => {
        opened = resolve;
      }),
      open: false,
      closing: false,
      running: 0,
      idle: undefined,
    };
    this.#sessions.set(sessionId, session);
    workers.hold(worker, sessionId);
    try {
      await boundedHook(`service "${context.service}"'s onConnect`, this.#parts.hookTimeoutMs, () =>
        service.onConnect?.(session.context, context),
      );
      session.open = true;
      done({ id, ok: true });
    } catch (error) {
      this.#forget(session);
      done({ id, ok: false, error: thrownFailure(error) });
    } finally {
      opened();
    }
  }

  async disconnect({ id, session: sessionId, reason }: DisconnectHeader): Promise<void> {
    const session = this.#sessions.get(sessionId);
    if (!session || session.closing) {
      this.#expired(id, sessionId);
      return;
    }
    session.closing = true;
    await session.opening;
    if (!session.open) {
      this.#expired(id, sessionId);
      return;
    }
    if (session.running > 0) await new Promise<void>((resolve) => (session.idle = resolve));
    const failure = await this.#end(session, reason);
    this.#parts.done(failure ? { id, ok: false, error: failure } : { id, ok: true });
  }

  /** A call of `session` starts or ends. */
  callStarted(session: OpenSession): void {
    session.running++;
  }

  callEnded(session: OpenSession): void {
    session.running--;
    if (session.running === 0) session.idle?.();
  }

  /** Ends every session not already ending, at once (the drone stops): each one's onDisconnect runs. */
  async endAll(reason: SessionEnd): Promise<void> {
    const ending = [...this.#sessions.values()].filter((session) => session.open && !session.closing);
    for (const session of ending) session.closing = true;
    await Promise.all(ending.map((session) => this.#end(session, reason)));
  }

  async #end(session: OpenSession, reason: SessionEnd): Promise<RemoteError | undefined> {
    const { service, context, log } = this.#parts;
    try {
      await boundedHook(`service "${context.service}"'s onDisconnect`, this.#parts.hookTimeoutMs, () =>
        service.onDisconnect?.(session.context, reason, context),
      );
      return undefined;
    } catch (error) {
      log.error({ err: error, session: session.context.id, reason }, "onDisconnect failed");
      return thrownFailure(error);
    } finally {
      this.#forget(session);
    }
  }

  #forget(session: OpenSession): void {
    session.open = false;
    this.#sessions.delete(session.context.id);
    this.#parts.workers.release(session.worker);
  }

  #cannotOpen(sessionId: string): RemoteError | undefined {
    if (this.#sessions.has(sessionId))
      return droverFailure(ErrorCode.DISPATCH_BAD_MESSAGE, `session ${sessionId} is already open here`);
    if (this.#parts.workers.free() === undefined) {
      return droverFailure(
        ErrorCode.DISPATCH_BAD_MESSAGE,
        `drone ${process.pid} has no free worker for session ${sessionId}: the master sent one call or session too many`,
      );
    }
    return undefined;
  }

  #expired(id: number, sessionId: string): void {
    const message = `session ${sessionId} is not open on drone ${process.pid} (it ended, or never opened here): open a new session`;
    this.#parts.done({ id, ok: false, error: droverFailure(ErrorCode.SESSION_EXPIRED, message) });
  }
}
