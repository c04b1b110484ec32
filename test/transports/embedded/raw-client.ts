// A caller that speaks the wire format by hand (or does not): it sends any bytes, keeps every frame
// the server sends back, and knows whether the server closed it. Destroyed by the test's t.after.
import { connect, type Socket } from "node:net";
import type { TestContext } from "node:test";
import { deserialize, serialize } from "node:v8";
import { encodeFrame, type Frame, FrameReader, type Header } from "../../../src/dispatch/wire/frames.ts";
import { Kind } from "../../../src/dispatch/wire/messages.ts";
import { waitFor } from "../../harness/wait.ts";

export interface RawClient {
  readonly socket: Socket;
  readonly frames: Frame[];
  /** True once the server closed the connection (or it broke). */
  closed(): boolean;
  send(bytes: Buffer | Buffer[]): void;
  /** A CALL frame with `params` v8-serialized. */
  call(id: number, method: string, params?: unknown, extra?: Header): void;
  waitForFrame(id: number): Promise<Frame>;
  waitForClose(): Promise<void>;
}

export const frameOf = (kind: number, header: Header, body?: Buffer): Buffer =>
  Buffer.concat(encodeFrame(kind, header, body));

export const callFrame = (id: number, method: string, params?: unknown, extra: Header = {}): Buffer =>
  frameOf(Kind.CALL, { id, service: "math", method, ...extra }, serialize(params));

export const decoded = (frame: Frame): unknown => deserialize(frame.body);

export async function rawClient(
  t: TestContext,
  path: string,
  options: { read?: boolean } = {},
): Promise<RawClient> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let isClosed = false;
  socket.on("error", () => {});
  socket.once("close", () => {
    isClosed = true;
  });
  t.after(() => {
    socket.destroy();
  });
  const frames: Frame[] = [];
  const reader = new FrameReader({
    frame: (frame) => frames.push(frame),
    bodyLimit: () => Number.MAX_SAFE_INTEGER,
    oversize: () => {},
  });
  if (options.read === false) socket.pause();
  socket.on("data", (chunk: Buffer) => reader.push(chunk));
  const client: RawClient = {
    socket,
    frames,
    closed: () => isClosed,
    send: (bytes) => {
      for (const part of Array.isArray(bytes) ? bytes : [bytes]) socket.write(part);
    },
    call: (id, method, params, extra) => socket.write(callFrame(id, method, params, extra)),
    waitForFrame: (id) => waitFor(`a reply to ${id}`, () => frames.find((frame) => frame.header.id === id)),
    waitForClose: async () => {
      await waitFor("the server to close the connection", () => isClosed);
    },
  };
  return client;
}
