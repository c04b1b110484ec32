// The socket side of a peer: a Unix-socket server speaking drover's own frames (dispatch/wire), so a
// peer is reached exactly as a drover master is, by the same client (`connect({ socket })` of
// drover/client). Each CALL's params are decoded, handed to the peer's pool, and its result sent back as
// a RESULT (or an ERROR); calls on one connection run concurrently, answered as they finish.
import { createServer, type Server, type Socket } from "node:net";
import { deserialize, serialize } from "node:v8";
import { FrameReader, writeFrame } from "../../../src/dispatch/wire/frames.ts";
import { Kind } from "../../../src/dispatch/wire/messages.ts";

/** Runs `method` with `params` in the peer's pool. */
export type RunCall = (method: string, params: unknown) => Promise<unknown>;

/** What a peer answers when its pool throws (the client reports the code and the message). */
const PEER_FAILED = "BENCH_PEER_FAILED";

/** Listens on `path`; resolves once it accepts connections. */
export async function serveCalls(path: string, run: RunCall): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const reader = new FrameReader({
      bodyLimit: () => Number.MAX_SAFE_INTEGER,
      oversize: () => {},
      frame: ({ kind, header, body }) => {
        if (kind !== Kind.CALL) return; // CANCEL and the rest: the bench's calls never use them
        const id = header.id as number;
        run(String(header.method), deserialize(body)).then(
          (result) => {
            if (!socket.destroyed) writeFrame(socket, Kind.RESULT, { id }, serialize(result));
          },
          (error: Error) => {
            if (!socket.destroyed) {
              writeFrame(socket, Kind.ERROR, { id, code: PEER_FAILED, message: String(error?.message) });
            }
          },
        );
      },
    });
    socket.on("data", (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch {
        socket.destroy(); // not a frame: this caller is not the bench's client
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The life of a peer process: serve on the socket named by argv, say so on stdout, and on SIGTERM or
 * SIGINT close the socket, then `shutdown` (the pool: threads or processes), then exit.
 */
export async function runPeer(name: string, run: RunCall, shutdown: () => Promise<unknown>): Promise<void> {
  const path = process.argv[2];
  if (!path) throw new Error(`usage: node ${name}-server.ts <socket path>`);
  const listening = await serveCalls(path, run);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await listening.close();
    await shutdown();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  console.log(`${name} peer listening on ${path} (pid ${process.pid})`);
}
