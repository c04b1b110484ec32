// A ready drone at work: its data channel, the calls it runs and the sessions it holds, and how it stops
// taking work. Frames are routed by kind; each RUN, CONNECT and DISCONNECT is answered by one DONE.
import type { Header } from "../dispatch/wire/frames.ts";
import {
  type AbortHeader,
  type ConnectHeader,
  type DisconnectHeader,
  type DoneHeader,
  Kind,
  type RunHeader,
  type SessionEnd,
} from "../dispatch/wire/messages.ts";
import { DroverError, ErrorCode } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { DroneContext, ServiceDefinition } from "../service/define.ts";
import { Calls } from "./calls.ts";
import { DataChannel } from "./channel.ts";
import { droverFailure } from "./failures.ts";
import { NatsReplies } from "./nats-replies.ts";
import { Retirement } from "./retirement.ts";
import { Sessions } from "./sessions.ts";
import type { DroneSpec } from "./spec.ts";
import type { WorkerRecords } from "./workers.ts";

export interface ServingParts {
  readonly context: DroneContext;
  readonly workers: WorkerRecords;
  readonly log: Logger;
  /** The master closed the data channel between frames. */
  readonly closed: () => void;
  /** The data channel cannot go on (see DataChannel). */
  readonly broken: (reason: string) => void;
}

export class Serving {
  readonly #service: ServiceDefinition;
  readonly #channel: DataChannel;
  readonly #calls: Calls;
  readonly #sessions: Sessions;
  readonly #replies: NatsReplies | undefined;
  #stopping = false;

  constructor(spec: DroneSpec, service: ServiceDefinition, parts: ServingParts) {
    const { context, workers, log } = parts;
    this.#service = service;
    const refusal = () =>
      this.#stopping
        ? droverFailure(
            ErrorCode.STOPPING,
            `drone ${process.pid} of service "${context.service}" is stopping and takes no new call: send it to another drone`,
          )
        : undefined;
    const done = (header: DoneHeader, body?: Uint8Array) => this.#channel.done(header, body);
    const succeeded = (id: number, retire: boolean, result: Buffer) =>
      this.#channel.succeeded(id, retire, result);
    const replied = (id: number, retire: boolean) => this.#channel.replied(id, retire);
    this.#sessions = new Sessions({
      service,
      context,
      hookTimeoutMs: spec.hookTimeoutMs,
      workers,
      log,
      done,
      refusal,
    });
    this.#replies = spec.nats
      ? new NatsReplies(spec.nats, `drover drone ${process.pid} of ${context.service}`, log)
      : undefined;
    this.#calls = new Calls({
      service,
      context,
      maxMessageBytes: spec.maxMessageBytes,
      concurrency: spec.concurrency,
      workers,
      sessions: this.#sessions,
      retirement: new Retirement(spec.maxRequests, log),
      log,
      done,
      replies: this.#replies,
      succeeded,
      replied,
      refusal,
    });
    this.#channel = new DataChannel(spec.channelFd, spec.maxMessageBytes, {
      frame: (kind, header, body) => this.#route(kind, header, body),
      closed: parts.closed,
      broken: parts.broken,
    });
  }

  /** Tells the master which methods it serves: the first frame, before the drone says it is ready. */
  hello(): void {
    const { methods, idempotent } = this.#service;
    this.#channel.hello({ methods: Object.keys(methods), idempotent: [...(idempotent ?? [])] });
  }

  /** Calls running now. */
  get running(): number {
    return this.#calls.running;
  }

  /** No new call or session from now on: each is answered DROVER_ERR_STOPPING. */
  stopTaking(): void {
    this.#stopping = true;
  }

  /** Resolves once no call runs, or after `deadlineMs`, when the calls left have their signals aborted. */
  async drain(deadlineMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), deadlineMs);
    });
    const overdue = await Promise.race([this.#calls.whenIdle().then(() => false), late]);
    clearTimeout(timer);
    if (overdue) {
      this.abortAll(
        new DroverError(
          ErrorCode.STOPPING,
          `the drone stops: its quiesce deadline of ${deadlineMs} ms passed`,
        ),
      );
    }
  }

  /** The master is gone: no new call; those from NATS may still finish and be answered (see Calls.orphan). */
  orphan(reason: DroverError): void {
    this.#stopping = true;
    this.#calls.orphan(reason);
  }

  /** Aborts the signal of every running call (each is still answered when its method returns). */
  abortAll(reason: DroverError): void {
    this.#calls.abortAll(reason);
  }

  /** Ends every open session, running the service's onDisconnect for each. */
  endSessions(reason: SessionEnd): Promise<void> {
    return this.#sessions.endAll(reason);
  }

  /** Ends the data channel once what was written has gone out (or after `withinMs`). */
  async close(withinMs: number): Promise<void> {
    await Promise.all([this.#channel.close(withinMs), this.#replies?.close()]);
  }

  /** Drops the data channel at once: nothing more is answered. */
  destroy(): void {
    this.#channel.destroy();
  }

  #route(kind: number, header: Header, body: Buffer): void {
    switch (kind) {
      case Kind.RUN:
        this.#calls.run(header as unknown as RunHeader, body);
        break;
      case Kind.ABORT:
        this.#calls.abort(header as unknown as AbortHeader);
        break;
      case Kind.CONNECT: {
        const { id, session } = header as unknown as ConnectHeader;
        void this.#sessions.connect(id, session);
        break;
      }
      case Kind.DISCONNECT:
        void this.#sessions.disconnect(header as unknown as DisconnectHeader);
        break;
    }
  }
}
