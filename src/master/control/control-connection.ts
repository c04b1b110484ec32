// One client of the control socket. Requests are answered one at a time, in order; while one is being
// answered the connection is not read (pause), so a client that pipelines or never reads its replies
// fills its own socket buffers, not the master's memory. Everything a connection holds is bounded: one
// partial line, a few queued lines, one reply being written.
import type { Socket } from "node:net";
import { answerLine, type ControlHandler, refusal, replyLine } from "./control-protocol.ts";

export interface ConnectionLimits {
  /** Longest request line, in bytes. */
  readonly maxLineBytes: number;
  /** Request lines read ahead of the one being answered; one more and the client is dropped. */
  readonly maxQueued: number;
  /** A connection with no request in progress is closed after this long. */
  readonly idleTimeoutMs: number;
  /** A reply the client does not take within this long gets the connection destroyed. */
  readonly writeTimeoutMs: number;
}

const NEWLINE = 0x0a;
// How long, and for how many more bytes, a refused connection is kept reading so that a client still
// writing (a request a bit too long, say) finishes its write and reads the refusal rather than EPIPE.
const LINGER_MS = 1_000;
const LINGER_BYTES = 1024 * 1024;

export class ControlConnection {
  readonly #socket: Socket;
  readonly #handle: ControlHandler;
  readonly #limits: ConnectionLimits;
  // The bytes of the line not yet ended by a newline.
  #partial: Buffer[] = [];
  #partialBytes = 0;
  readonly #queue: string[] = [];
  #busy = false;
  #peerEnded = false;
  #stopping = false;
  // Bytes read and thrown away since the connection was refused.
  #dropped = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  /** Settles once the socket is closed. */
  readonly closed: Promise<void>;

  constructor(socket: Socket, handle: ControlHandler, limits: ConnectionLimits) {
    this.#socket = socket;
    this.#handle = handle;
    this.#limits = limits;
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    void this.closed.then(() => clearTimeout(this.#idleTimer));
    // A client that goes away mid-reply is no error of the master's.
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    socket.on("end", () => {
      this.#peerEnded = true;
      if (!this.#busy) socket.end();
    });
    this.#armIdleTimer();
  }

  /**
   * Tells the client why it is turned away and ends the connection. What the client still sends is
   * read and dropped for a moment (a bounded amount), so that its request, written while the refusal
   * was on its way, does not make it lose the refusal to EPIPE.
   */
  refuse(message: string, code?: string): void {
    this.#stop();
    this.#socket.end(replyLine(refusal(message, code)));
    this.#socket.resume();
    const timer = setTimeout(() => this.#socket.destroy(), LINGER_MS);
    void this.closed.then(() => clearTimeout(timer));
  }

  /**
   * Closes the connection: at once when it is idle, else once the request in progress is answered and
   * its reply written, or after `graceMs` at the latest. Queued requests are dropped.
   */
  shutDown(graceMs: number): Promise<void> {
    this.#stop();
    if (!this.#busy) this.#socket.destroy();
    else {
      const timer = setTimeout(() => this.#socket.destroy(), graceMs);
      void this.closed.then(() => clearTimeout(timer));
    }
    return this.closed;
  }

  #stop(): void {
    this.#stopping = true;
    this.#queue.length = 0;
    this.#partial = [];
    this.#partialBytes = 0;
    clearTimeout(this.#idleTimer);
    this.#socket.pause();
  }

  #receive(chunk: Buffer): void {
    if (this.#stopping) {
      this.#dropped += chunk.length;
      if (this.#dropped > LINGER_BYTES) this.#socket.destroy();
      return;
    }
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
      if (!this.#take(chunk.subarray(start, newline))) return;
      start = newline + 1;
    }
    if (start < chunk.length) {
      this.#partial.push(chunk.subarray(start));
      this.#partialBytes += chunk.length - start;
      if (this.#partialBytes > this.#limits.maxLineBytes) {
        this.#refuseLine();
        return;
      }
    }
    void this.#answerQueued();
  }

  /** Queues one complete line; false when the client was dropped for it. */
  #take(end: Buffer): boolean {
    const bytes = this.#partialBytes + end.length;
    if (bytes > this.#limits.maxLineBytes) {
      this.#refuseLine();
      return false;
    }
    const line = Buffer.concat([...this.#partial, end], bytes).toString("utf8");
    this.#partial = [];
    this.#partialBytes = 0;
    clearTimeout(this.#idleTimer);
    this.#queue.push(line);
    if (this.#queue.length > this.#limits.maxQueued) {
      this.refuse(
        `more than ${this.#limits.maxQueued} control requests sent ahead of their replies: ` +
          "send one request at a time and read each reply",
      );
      return false;
    }
    return true;
  }

  #refuseLine(): void {
    const kib = Math.floor(this.#limits.maxLineBytes / 1024);
    this.refuse(`a control request must be one JSON line of at most ${kib} KiB`);
  }

  async #answerQueued(): Promise<void> {
    if (this.#busy || this.#queue.length === 0) return;
    this.#busy = true;
    this.#socket.pause();
    try {
      for (let line = this.#queue.shift(); line !== undefined; line = this.#queue.shift()) {
        const reply = await answerLine(line, this.#handle);
        if (!(await this.#write(reply))) return;
      }
    } finally {
      this.#busy = false;
    }
    if (this.#stopping) this.#socket.destroy();
    else if (this.#peerEnded) {
      this.#socket.end();
      this.#armIdleTimer();
    } else {
      this.#socket.resume();
      this.#armIdleTimer();
    }
  }

  /** Writes `data` and waits until the kernel has it; false when the connection is gone. */
  #write(data: string): Promise<boolean> {
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => socket.destroy(), this.#limits.writeTimeoutMs);
      const settle = (written: boolean) => {
        clearTimeout(timer);
        socket.off("close", onClose);
        resolve(written);
      };
      const onClose = () => settle(false);
      socket.once("close", onClose);
      socket.write(data, (error) => settle(!error));
    });
  }

  #armIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.#socket.destroy(), this.#limits.idleTimeoutMs);
  }
}
