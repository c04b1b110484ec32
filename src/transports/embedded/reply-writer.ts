// Writes a connection's replies, and stops reading from a caller that does not read them: past
// maxWriteBufferBytes unread the socket is paused (no more calls come in) until it drains.
import type { Socket } from "node:net";
import { type Header, PREFIX_BYTES, writeFrame } from "../../dispatch/wire/frames.ts";
import { Kind } from "../../dispatch/wire/messages.ts";

// Results up to this size are copied behind their header and written as one buffer.
const SMALL_RESULT_BYTES = 16 * 1024;

export class ReplyWriter {
  readonly #socket: Socket;
  readonly #maxBufferedBytes: number;
  readonly #ended: () => boolean;
  #waitingForDrain = false;

  /** `ended` says whether the connection is closing (it is then not resumed). */
  constructor(socket: Socket, maxBufferedBytes: number, ended: () => boolean) {
    this.#socket = socket;
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#ended = ended;
  }

  /** True while the socket is paused because its caller does not read. */
  get waitingForDrain(): boolean {
    return this.#waitingForDrain;
  }

  /** The hot path: a small result goes out as one buffer, in one write. */
  result(id: number, body: Buffer): void {
    if (body.length > SMALL_RESULT_BYTES) {
      this.frame(Kind.RESULT, { id }, body);
      return;
    }
    const header = `{"id":${id}}`;
    const frame = Buffer.allocUnsafe(PREFIX_BYTES + header.length + body.length);
    frame.writeUInt32BE(5 + header.length + body.length, 0);
    frame[4] = Kind.RESULT;
    frame.writeUInt32BE(header.length, 5);
    frame.write(header, PREFIX_BYTES, "latin1");
    body.copy(frame, PREFIX_BYTES + header.length);
    this.#socket.write(frame);
    this.#holdBackIfUnread();
  }

  frame(kind: number, header: Header, body?: Buffer): void {
    writeFrame(this.#socket, kind, header, body);
    this.#holdBackIfUnread();
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
