// Writes a connection's replies (those of one turn of the event loop in one write), and stops reading
// from a caller that does not read them: past maxWriteBufferBytes unread the socket is paused (no more
// calls come in) until it drains.
import type { Socket } from "node:net";
import { encodeResult } from "../../dispatch/wire/call-frames.ts";
import { FrameWriter } from "../../dispatch/wire/frame-writer.ts";
import { encodeFrame, type Header } from "../../dispatch/wire/frames.ts";

export class ReplyWriter {
  readonly #socket: Socket;
  readonly #writer: FrameWriter;
  readonly #maxBufferedBytes: number;
  readonly #ended: () => boolean;
  #waitingForDrain = false;

  /** `ended` says whether the connection is closing (it is then not resumed). */
  constructor(socket: Socket, maxBufferedBytes: number, ended: () => boolean) {
    this.#socket = socket;
    this.#writer = new FrameWriter(socket, () => this.#holdBackIfUnread());
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#ended = ended;
  }

  /** True while the socket is paused because its caller does not read. */
  get waitingForDrain(): boolean {
    return this.#waitingForDrain;
  }

  /** The hot path: a result, its header compact. */
  result(id: number, body: Buffer): void {
    this.#writer.write(encodeResult(id, body));
  }

  frame(kind: number, header: Header, body?: Buffer): void {
    this.#writer.write(encodeFrame(kind, header, body));
  }

  /** Writes what this turn has queued now: before the socket is ended. */
  flush(): void {
    this.#writer.flush();
  }

  #holdBackIfUnread(): void {
    const socket = this.#socket;
    if (this.#waitingForDrain || socket.writableLength <= this.#maxBufferedBytes) return;
    this.#waitingForDrain = true;
    socket.pause();
    socket.once("drain", () => {
      this.#waitingForDrain = false;
      if (!this.#ended()) socket.resume();
    });
  }
}
