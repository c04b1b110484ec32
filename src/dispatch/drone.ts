// The master's view of one drone: its process (a ChildHandle), its data channel, and what it is doing.
// A drone is starting until it has said HELLO (its methods) and ready; then idle, busy with calls,
// pinned to a session, or leaving (retiring, draining, or its generation replaced). The calls it runs
// are known here by id, so that its death fails or retries each of them at once.
import type { ChildHandle } from "../master/children/child-handle.ts";
import type { Call } from "./call.ts";
import type { Session } from "./session.ts";
import { encodeRun } from "./wire/call-frames.ts";
import { FrameWriter } from "./wire/frame-writer.ts";
import { encodeFrame, FrameError, FrameReader, type Header } from "./wire/frames.ts";
import { type DoneHeader, DRONE_KINDS, type HelloHeader, isValidHeader, Kind } from "./wire/messages.ts";

/** The reason a drone's channel gives when its other end closed it (the drone exits, or exited). */
export const CHANNEL_CLOSED = "its data channel closed";

export type DroneState = "starting" | "idle" | "busy" | "pinned" | "leaving";

export interface DroneEvents {
  hello(drone: Drone, hello: HelloHeader): void;
  done(drone: Drone, header: DoneHeader, body: Buffer): void;
  /** The channel broke or carried something malformed: the drone cannot be trusted. */
  broken(drone: Drone, reason: string): void;
}

export class Drone {
  readonly child: ChildHandle;
  readonly service: string;
  readonly concurrency: number;
  /** Its jittered maxRequestsPerDrone (0: none). */
  readonly maxRequests: number;
  state: DroneState = "starting";
  /** Calls it runs now, by call id; and control frames (CONNECT, DISCONNECT) it owes a DONE for. */
  readonly running = new Map<number, Call>();
  readonly pendingControl = new Map<number, (header: DoneHeader) => void>();
  /** The session pinned to it, if any. */
  session: Session | undefined;
  /** Calls it has finished. */
  served = 0;
  /** It takes no more calls: a method called ctx.retire(). (At maxRequestsPerDrone it serves on until replaced.) */
  retiring = false;
  /** Its replacement was started (before it retires, so that the idle stack does not run dry)... */
  replaced = false;
  /** ...and is this drone, unless none could be started. */
  replacement: Drone | undefined;
  /** When it last became idle (for picking the coldest to retire). */
  idleSince = 0;
  readonly #channel: ChildHandle["drone"] & object;
  readonly #writer: FrameWriter;
  #channelClosed = false;

  constructor(
    child: ChildHandle,
    concurrency: number,
    maxRequests: number,
    events: DroneEvents,
    maxBody: number,
  ) {
    if (!child.drone) throw new Error("a drone needs a child with a data channel");
    this.child = child;
    this.service = child.drone.service;
    this.concurrency = concurrency;
    this.maxRequests = maxRequests;
    this.#channel = child.drone;
    const reader = new FrameReader({
      frame: ({ kind, header, body }) => {
        if (!isValidHeader(kind, header, DRONE_KINDS)) {
          events.broken(this, `a malformed frame (kind ${kind})`);
          return;
        }
        if (kind === Kind.HELLO) events.hello(this, header as unknown as HelloHeader);
        else events.done(this, header as unknown as DoneHeader, body);
      },
      bodyLimit: () => maxBody,
      oversize: (_kind, header, bytes) => {
        const done = { id: header.id, ok: false } as const;
        events.done(
          this,
          {
            ...done,
            id: typeof header.id === "number" ? header.id : -1,
            error: {
              name: "DroverError",
              code: "DROVER_ERR_MESSAGE_TOO_LARGE",
              message: `the drone's answer is ${bytes} bytes, over maxMessageBytes`,
            },
          },
          Buffer.alloc(0),
        );
      },
    });
    const channel = this.#channel.channel;
    this.#writer = new FrameWriter(channel);
    channel.on("data", (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        if (error instanceof FrameError) events.broken(this, error.message);
        else throw error;
      }
    });
    channel.on("error", () => {});
    channel.on("close", () => {
      this.#channelClosed = true;
      events.broken(this, CHANNEL_CLOSED);
    });
  }

  get pid(): number {
    return this.child.pid;
  }

  get generation(): number {
    return this.child.generation;
  }

  /** Whether it may be handed a call now: idle or busy with room, and not being killed by the master. */
  get takesCalls(): boolean {
    return (this.state === "idle" || this.state === "busy") && this.hasRoom && this.child.phase !== "killing";
  }

  /**
   * Whether it can take one more call now. Past maxRequestsPerDrone only while its replacement starts,
   * and by at most a tenth of the limit (the lead its replacement was started with); a limit of 1 (a
   * process per call) is kept exactly.
   */
  get hasRoom(): boolean {
    if (this.running.size >= this.concurrency) return false;
    if (!this.atLimit) return true;
    const overtime = this.maxRequests === 1 ? 0 : Math.max(1, Math.floor(this.maxRequests / 10));
    return this.replacementComing && this.served + this.running.size < this.maxRequests + overtime;
  }

  /** It has finished maxRequestsPerDrone calls. */
  get spent(): boolean {
    return this.maxRequests > 0 && this.served >= this.maxRequests;
  }

  /** It has served or runs maxRequestsPerDrone calls (those running count: they will be served). */
  get atLimit(): boolean {
    return this.maxRequests > 0 && this.served + this.running.size >= this.maxRequests;
  }

  /**
   * Its replacement has come up: it leaves (once no other drone is short of room), though it may not
   * have reached its limit yet, so that the pool does not keep one drone too many.
   */
  get relieved(): boolean {
    return this.replacement?.child.wasReady === true;
  }

  /** Its replacement is on its way: started, not up yet, not dead (one that died starting stays "starting" here). */
  get replacementComing(): boolean {
    const next = this.replacement;
    return next?.state === "starting" && (next.child.phase === "starting" || next.child.phase === "ready");
  }

  send(kind: number, header: Header, body?: Uint8Array): void {
    this.#writer.write(encodeFrame(kind, header, body));
  }

  /** The hot path: a RUN of call `id` (see call-frames.ts for what its arguments must be). */
  run(
    id: number,
    method: string,
    timeoutMs: number,
    session: string | undefined,
    replyTo: string | undefined,
    redelivered: boolean,
    params: Buffer,
  ): void {
    this.#writer.write(encodeRun(id, method, timeoutMs, session, replyTo, redelivered, params));
  }

  /**
   * Runs `then` once all it wrote has been read (its channel closed: the 'close' of a socket follows
   * its last 'data'), or after `ms`: its exit may be seen before the answers it wrote just before it.
   */
  afterChannel(ms: number, then: () => void): void {
    if (this.#channelClosed) {
      then();
      return;
    }
    const channel = this.#channel.channel;
    const once = () => {
      clearTimeout(timer);
      channel.off("close", once);
      then();
    };
    const timer = setTimeout(once, ms);
    channel.on("close", once);
  }

  /** Closes its end of the channel (it has exited). */
  close(): void {
    this.#channel.channel.destroy();
  }
}
