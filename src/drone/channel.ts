// The drone's end of its data channel: the socketpair the master made for its stdio slot 5, carrying
// frames (dispatch/wire/frames.ts). Only well-formed master → drone frames reach the drone; anything
// else is answered here, when it says which call it was, and never breaks the drone: a frame whose
// header fails its check gets DROVER_ERR_DISPATCH_BAD_MESSAGE, one whose body is over maxMessageBytes
// DROVER_ERR_MESSAGE_TOO_LARGE (its body skipped as it streams). Only a stream that is no longer frames
// (a header that is not JSON, a length that cannot be) ends the channel: the drone exits and the
// master replaces it.
import { Socket } from "node:net";
import { encodeDone } from "../dispatch/wire/call-frames.ts";
import { FrameWriter } from "../dispatch/wire/frame-writer.ts";
import { encodeFrame, FrameError, FrameReader, type Header } from "../dispatch/wire/frames.ts";
import {
  type DoneHeader,
  DRONE_BOUND_KINDS,
  DRONE_KINDS,
  type HelloHeader,
  isValidHeader,
  Kind,
  type RemoteError,
} from "../dispatch/wire/messages.ts";
import { ErrorCode } from "../errors.ts";
import { droverFailure } from "./failures.ts";

export interface ChannelEvents {
  /** A frame of a drone-bound kind whose header passed its check. */
  frame(kind: number, header: Header, body: Buffer): void;
  /** The master closed the channel between two frames. */
  closed(): void;
  /** The channel cannot be read or written on (no longer frames, ended mid-frame, a socket error). */
  broken(reason: string): void;
}

const EMPTY = Buffer.alloc(0);

export class DataChannel {
  readonly #socket: Socket;
  readonly #reader: FrameReader;
  readonly #writer: FrameWriter;
  readonly #events: ChannelEvents;
  #over = false;

  constructor(fd: number, maxMessageBytes: number, events: ChannelEvents) {
    this.#events = events;
    this.#reader = new FrameReader({
      frame: ({ kind, header, body }) => {
        if (isValidHeader(kind, header, DRONE_BOUND_KINDS)) events.frame(kind, header, body);
        else this.#refuse(header, ErrorCode.DISPATCH_BAD_MESSAGE, badMessage(kind, header));
      },
      bodyLimit: () => maxMessageBytes,
      oversize: (_kind, header, bodyBytes) =>
        this.#refuse(
          header,
          ErrorCode.MESSAGE_TOO_LARGE,
          `the params of ${describeMethod(header)} are ${bodyBytes} bytes, over maxMessageBytes ${maxMessageBytes}: send less, or raise the service's maxMessageBytes`,
        ),
    });
    this.#socket = new Socket({ fd, readable: true, writable: true });
    this.#writer = new FrameWriter(this.#socket);
    this.#socket.on("data", (chunk: Buffer) => {
      try {
        this.#reader.push(chunk);
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        this.#broken(`the data channel no longer carries frames (${error.message})`);
      }
    });
    this.#socket.on("end", () => {
      if (this.#reader.atBoundary) this.#end(() => events.closed());
      else this.#broken("the data channel ended in the middle of a frame");
    });
    this.#socket.on("error", (error) => this.#broken(`the data channel failed: ${error.message}`));
  }

  hello(header: HelloHeader): void {
    this.#write(Kind.HELLO, { ...header });
  }

  done(header: DoneHeader, body?: Uint8Array): void {
    this.#write(Kind.DONE, { ...header }, body);
  }

  /** The hot path: the DONE of call `id`, which succeeded with `result`. */
  succeeded(id: number, retire: boolean, result: Buffer): void {
    this.#writer.write(encodeDone(id, retire, result));
  }

  /** The DONE of call `id`, whose result the drone published to the caller itself. */
  replied(id: number, retire: boolean): void {
    this.#writer.write(encodeDone(id, retire, EMPTY, true));
  }

  /** Ends the channel once what was written has gone out, or after `withinMs`. */
  close(withinMs: number): Promise<void> {
    this.#over = true;
    const socket = this.#socket;
    if (socket.destroyed) return Promise.resolve();
    this.#writer.flush();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, withinMs);
      timer.unref();
      socket.end(() => {
        clearTimeout(timer);
        socket.destroy();
        resolve();
      });
    });
  }

  /** Drops the channel now: nothing more is read or sent (a crashed drone's answers are not trusted). */
  destroy(): void {
    this.#over = true;
    this.#socket.destroy();
  }

  #write(kind: number, header: Header, body?: Uint8Array): void {
    this.#writer.write(encodeFrame(kind, header, body));
  }

  #refuse(header: Header, code: ErrorCode, message: string): void {
    if (!answerable(header.id)) return;
    const error: RemoteError = droverFailure(code, message);
    this.done({ id: header.id as number, ok: false, error });
  }

  #broken(reason: string): void {
    this.#end(() => this.#events.broken(reason));
    this.#socket.destroy();
  }

  // Tells the drone once, however the channel ends, unless the drone ended it.
  #end(tell: () => void): void {
    if (this.#over) return;
    this.#over = true;
    tell();
  }
}

// Without a call id there is nothing to answer: the id must pass the master's own check of a DONE.
function answerable(id: unknown): boolean {
  return isValidHeader(Kind.DONE, { id, ok: true }, DRONE_KINDS);
}

function badMessage(kind: number, header: Header): string {
  const known = DRONE_BOUND_KINDS.includes(kind);
  return known
    ? `a frame of kind ${kind} has a malformed header (${truncatedJson(header)}): the master sent what the protocol does not allow`
    : `a frame of kind ${kind} is not one a drone takes (${DRONE_BOUND_KINDS.join(", ")}): the master sent what the protocol does not allow`;
}

function describeMethod(header: Header): string {
  return typeof header.method === "string" ? `"${header.method.slice(0, 128)}"` : "the call";
}

function truncatedJson(header: Header): string {
  const json = JSON.stringify(header);
  return json.length <= 200 ? json : `${json.slice(0, 199)}…`;
}
