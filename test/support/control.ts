// A real control server in the test process, and raw clients of it that record every line the server
// sends and whether it closed them. Each is closed by the test's `t.after`.
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import type { TestContext } from "node:test";
import {
  type ControlHandler,
  type ControlServer,
  type ControlServerOptions,
  startControlServer,
} from "../../src/master/control/control-server.ts";
import { makeTempDir, type TempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";

export const BAD_REQUEST = "DROVER_ERR_CONTROL_BAD_REQUEST";

/** Answers every request with the request itself. */
export const echo: ControlHandler = async (request) => ({ request });

export interface TestServer {
  readonly server: ControlServer;
  readonly path: string;
  readonly dir: TempDir;
}

export async function startTestServer(
  t: TestContext,
  handle: ControlHandler = echo,
  options?: ControlServerOptions,
): Promise<TestServer> {
  const dir = makeTempDir("drover-test-control-");
  const path = join(dir.path, "control.sock");
  try {
    const server = await startControlServer(path, handle, options);
    t.after(async () => {
      await server.close();
      dir.remove();
    });
    return { server, path, dir };
  } catch (error) {
    dir.remove();
    throw error;
  }
}

export interface LineClient {
  readonly socket: Socket;
  /** Every line received so far, parsed. */
  readonly replies: Record<string, unknown>[];
  /** True once the socket is fully closed. */
  closed(): boolean;
  /** True once the server ended its side (or the socket closed). */
  ended(): boolean;
  send(data: string): void;
  /** The `n`th reply (1-based), once it has arrived. */
  reply(n?: number): Promise<Record<string, unknown>>;
  /** Resolves once the socket is closed, by either side. */
  waitClosed(what: string): Promise<void>;
}

export async function connectClient(
  t: TestContext,
  path: string,
  options: { allowHalfOpen?: boolean } = {},
): Promise<LineClient> {
  const socket = connect({ path, allowHalfOpen: options.allowHalfOpen ?? false });
  t.after(() => socket.destroy());
  const replies: Record<string, unknown>[] = [];
  let buffered = "";
  let closed = false;
  let ended = false;
  socket.setEncoding("utf8");
  // EPIPE and ECONNRESET are how a client learns it was dropped; closed() says so.
  socket.on("error", () => {});
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
      replies.push(JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>);
      buffered = buffered.slice(newline + 1);
    }
  });
  socket.on("end", () => (ended = true));
  socket.on("close", () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return {
    socket,
    replies,
    closed: () => closed,
    ended: () => ended || closed,
    send: (data) => socket.write(data),
    reply: (n = 1) => waitFor(`reply ${n} on ${path}`, () => replies[n - 1]),
    waitClosed: (what) => waitFor(what, () => closed).then(() => undefined),
  };
}

/** A handler whose answers wait until the test releases them; it counts calls and overlaps. */
export function heldHandler(): {
  handle: ControlHandler;
  calls: () => number;
  mostAtOnce: () => number;
  release: () => void;
} {
  let calls = 0;
  let running = 0;
  let mostAtOnce = 0;
  const gate = Promise.withResolvers<void>();
  return {
    handle: async (request) => {
      calls += 1;
      const call = calls;
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      try {
        // The first call waits for release(); later ones answer at once, so any overlap shows.
        if (call === 1) await gate.promise;
        return { request, call };
      } finally {
        running -= 1;
      }
    },
    calls: () => calls,
    mostAtOnce: () => mostAtOnce,
    release: () => gate.resolve(),
  };
}
