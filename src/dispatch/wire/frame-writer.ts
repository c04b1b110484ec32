// Frames to one socket, gathered: every frame written during one turn of the event loop (a 'data'
// event and the promise callbacks it runs) goes out in one write once that turn's work is done, so 64
// calls sent or answered together cost one system call, not 64. A frame alone costs what it did: one
// write, a tick later. Everything written to the socket goes through here, so frames keep their order.
import type { Socket } from "node:net";

// Up to this many bytes in one turn are copied into one buffer; past it each part is written as it is,
// corked into one writev.
const GATHER_BYTES = 64 * 1024;

export class FrameWriter {
  readonly #socket: Socket;
  readonly #flushed: (() => void) | undefined;
  readonly #parts: Buffer[] = [];
  #bytes = 0;
  #scheduled = false;
  readonly #onTick = () => {
    this.#scheduled = false;
    this.flush();
  };

  /** `flushed` runs after each write to the socket (a reply writer looks at what the socket holds). */
  constructor(socket: Socket, flushed?: () => void) {
    this.#socket = socket;
    this.#flushed = flushed;
  }

  /** Queues one frame (its buffers, in order) for this turn's write. */
  write(frame: readonly Buffer[]): void {
    for (const part of frame) {
      this.#parts.push(part);
      this.#bytes += part.length;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#onTick);
    }
  }

  /** Writes what is queued now (before the socket is ended); a socket that cannot be written drops it. */
  flush(): void {
    const parts = this.#parts;
    if (parts.length === 0) return;
    const socket = this.#socket;
    if (!socket.destroyed && socket.writable) {
      if (parts.length === 1) socket.write(parts[0] as Buffer);
      else if (this.#bytes <= GATHER_BYTES) socket.write(Buffer.concat(parts, this.#bytes));
      else {
        socket.cork();
        for (const part of parts) socket.write(part);
        socket.uncork();
      }
    }
    parts.length = 0;
    this.#bytes = 0;
    this.#flushed?.();
  }
}
