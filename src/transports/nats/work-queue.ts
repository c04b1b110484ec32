// A service with `delivery: "at-least-once"`: its calls go through a JetStream work-queue stream
// (`DROVER_<subject>`, capturing `<subject>.>`) with one durable pull consumer that every host's
// master shares. A master pulls only as many calls as it has idle drones, so a full host simply stops
// pulling (backpressure by construction). Each call is acked once answered; one whose drone died is
// delivered again (to any host's drone) at once, and one whose drone died on a second delivery is
// terminated as poison. A call that waited in the stream past its caller's budget is answered with the
// timeout and never run. The caller's inbox is in the Drover-Reply header; the drone publishes there.

import { setTimeout as delay } from "node:timers/promises";
import {
  type Consumer,
  type ConsumerMessages,
  JetStreamError,
  type JsMsg,
  jetstream,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ResolvedNats } from "../../config/types/nats.ts";
import { isWireName } from "../../dispatch/wire/messages.ts";
import { ErrorCode } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { Dispatcher, Reply } from "../seam.ts";
import { headersOf, REPLY_HEADER, readTimeout } from "./headers.ts";
import type { InFlight } from "./in-flight.ts";
import { type Answer, droneReplyTo, publishTo, respondError } from "./nats-reply.ts";
import { callParams } from "./params.ts";
import { CONSUMER, ensureStream, streamName } from "./work-queue-stream.ts";

// A running call tells JetStream to wait on (working()) this often, well within ACK_WAIT_MS.
const WORKING_MS = 3_000;
// One pull request waits this long for calls before the next is made.
const PULL_EXPIRES_MS = 1_000;
// With no idle drone, how often to look again.
const ROOM_CHECK_MS = 5;
// With no idle drone, how often to ask the stream how many calls wait (the pool grows for them).
const DEMAND_CHECK_MS = 200;
// After a failure to pull, how long before trying again.
const RETRY_MS = 250;
// A pull whose idle heartbeats came late (an event loop or a server held up a second: a busy host) is
// made again; only this many in a row are a failure to pull.
const LATE_PULLS_TOLERATED = 3;
// A call whose drone died on this delivery (or a later one) is poison.
const POISON_DELIVERY = 2;

export interface WorkQueueParts {
  readonly dispatcher: Dispatcher;
  readonly inFlight: InFlight;
  readonly log: Logger;
}

export class WorkQueue {
  readonly service: string;
  readonly nats: ResolvedNats;
  readonly #connection: NatsConnection;
  readonly #parts: WorkQueueParts;
  readonly #running = new Set<JsMsg>();
  readonly #working: NodeJS.Timeout;
  readonly #pulling: Promise<void>;
  #fetch: ConsumerMessages | undefined;
  #left = false;
  #demandCheckedAt = 0;

  constructor(service: string, nats: ResolvedNats, connection: NatsConnection, parts: WorkQueueParts) {
    this.service = service;
    this.nats = nats;
    this.#connection = connection;
    this.#parts = parts;
    this.#working = setInterval(() => {
      for (const message of this.#running) {
        try {
          message.working();
        } catch {
          // The connection closed under it: the call is delivered again elsewhere, as after a crash.
        }
      }
    }, WORKING_MS);
    this.#working.unref();
    this.#pulling = this.#pull();
  }

  /** Whether it is out of the queue for a full backlog: never, it pulls only what it has room for. */
  get full(): boolean {
    return false;
  }

  /**
   * Stops pulling; calls already pulled run on and are acked as they end, and JetStream is told they
   * are being worked on till then (else it delivers one that runs past its ack wait again elsewhere).
   */
  async leave(): Promise<void> {
    this.#left = true;
    await this.#fetch?.close();
    await this.#pulling;
    if (this.#running.size === 0) clearInterval(this.#working);
  }

  // Pulls for as long as the service is served. Anything that goes wrong (NATS away, the stream or
  // consumer deleted, a pull's heartbeats missed) is logged once and tried again shortly: the loop
  // never ends but by leave().
  async #pull(): Promise<void> {
    const stream = streamName(this.nats.subject);
    let failing = false;
    while (!this.#left) {
      try {
        await ensureStream(this.#connection, this.nats.subject);
        const consumer = await jetstream(this.#connection).consumers.get(stream, CONSUMER);
        this.#parts.log.info(
          { service: this.service, stream, subject: this.nats.subject },
          `service "${this.service}" takes calls at least once from JetStream stream ${stream} (${this.nats.subject}.<method>)`,
        );
        failing = false;
        let late = 0;
        while (!this.#left) {
          const room = this.#room();
          if (room === 0) {
            this.#askForDrones(consumer);
            await delay(ROOM_CHECK_MS);
            continue;
          }
          this.#fetch = await consumer.fetch({ max_messages: room, expires: PULL_EXPIRES_MS });
          try {
            for await (const message of this.#fetch) this.#message(message);
            late = 0;
          } catch (error) {
            if (!heartbeatsMissed(error) || ++late > LATE_PULLS_TOLERATED) throw error;
          }
        }
      } catch (error) {
        if (this.#left) return;
        if (!failing) {
          this.#parts.log.error(
            { err: error, service: this.service, stream },
            `service "${this.service}": cannot take calls from JetStream: ${(error as Error).message} (is nats-server run with -js?); trying again`,
          );
        }
        failing = true;
        await delay(RETRY_MS);
      }
    }
  }

  // Calls wait in the stream and no drone is idle: the pool starts drones for them (up to maxDrones),
  // since it sees no backlog of its own. Pulling them now instead would queue them here while another
  // host may have an idle drone.
  // The look is a JetStream request: the pull loop does not wait for it.
  #askForDrones(consumer: Consumer): void {
    const now = Date.now();
    if (now - this.#demandCheckedAt < DEMAND_CHECK_MS) return;
    this.#demandCheckedAt = now;
    // A failed look (NATS away) changes nothing: the pull says so if it lasts.
    void consumer.info().then(
      (info) => {
        if (info.num_pending > 0 && !this.#left)
          this.#parts.dispatcher.demand(this.service, info.num_pending);
      },
      () => {},
    );
  }

  // Idle drones not yet spoken for by calls waiting in the backlog.
  #room(): number {
    const load = this.#parts.dispatcher.load(this.service);
    return load ? Math.max(0, load.idle - load.waiting) : 0;
  }

  #message(message: JsMsg): void {
    // Headers that cannot be read (a malformed line) name no caller either: a throw here would end
    // the pull and leave the call to be delivered again, and fail again, for ever.
    const h = headersOf(message);
    const replyTo = h?.get(REPLY_HEADER);
    if (!replyTo) {
      message.term();
      return;
    }
    const answer = publishTo(this.#connection, replyTo);
    const method = message.subject.slice(this.nats.subject.length + 1);
    const budget = readTimeout(h);
    if (Number.isNaN(budget) || !isWireName(method)) {
      message.term();
      respondError(
        answer,
        ErrorCode.DISPATCH_BAD_MESSAGE,
        `a bad call on ${message.subject}: check the method name and Drover-Timeout`,
      );
      return;
    }
    // The budget counts from when the stream took the call (the server's clock).
    const waited = Date.now() - Number(message.timestampNanos / 1_000_000n);
    const timeoutMs = budget === undefined ? undefined : budget - Math.max(0, waited);
    if (timeoutMs !== undefined && timeoutMs <= 0) {
      message.term();
      respondError(
        answer,
        ErrorCode.DISPATCH_TIMEOUT,
        `${this.service}.${method} waited in JetStream past its budget of ${budget} ms; it never ran: raise maxDrones, add hosts, or give the call more time`,
      );
      return;
    }
    const params = callParams(message.data, answer, this.service, method, this.#parts.dispatcher);
    if (!params) {
      message.term();
      return;
    }
    const { signal, settled } = this.#parts.inFlight.add(replyTo);
    this.#running.add(message);
    const done = () => {
      settled();
      this.#running.delete(message);
      if (this.#left && this.#running.size === 0) clearInterval(this.#working);
    };
    this.#parts.dispatcher.call(
      {
        service: this.service,
        method,
        params,
        timeoutMs,
        session: undefined,
        signal,
        replyTo: droneReplyTo(replyTo),
        redelivered: true,
      },
      this.#reply(message, answer, done),
    );
  }

  // Acks the call once it is answered; delivers it again when its drone died (or this host could not run it).
  #reply(message: JsMsg, answer: Answer, done: () => void): Reply {
    return {
      ok: (body) => {
        done();
        if (!answer(body)) {
          respondError(
            answer,
            ErrorCode.MESSAGE_TOO_LARGE,
            `the result is ${body.byteLength} bytes, more than NATS carries in one message: return less, or raise max_payload`,
          );
        }
        message.ack();
      },
      delivered: () => {
        done();
        message.ack();
      },
      fail: (code, text, details) => {
        done();
        if (code === ErrorCode.STOPPING || code === ErrorCode.DISPATCH_BACKLOG_FULL) {
          message.nak(100);
          return;
        }
        if (code === ErrorCode.DRONE_EXITED && message.info.deliveryCount < POISON_DELIVERY) {
          message.nak();
          return;
        }
        if (code === ErrorCode.DRONE_EXITED) {
          // No reason given: nats-server 2.9 does not know "+TERM <reason>".
          message.term();
          respondError(
            answer,
            ErrorCode.POISON_MESSAGE,
            `${text}; it was delivered ${message.info.deliveryCount} times and its drone died each time, so it is not delivered again: reproduce the crash with its params`,
          );
          return;
        }
        message.ack();
        respondError(answer, code, text, details);
      },
    };
  }
}

function heartbeatsMissed(error: unknown): boolean {
  return error instanceof JetStreamError && /heartbeats missed/.test(error.message);
}
