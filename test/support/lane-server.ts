// A slow lane on a real node:http server in the test process, for the lane's own tests: an answer that
// records the order requests start in, and raw client connections closed with the server.
import { createServer, get, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { nameRoute } from "../../src/child/slow-lane/route-name.ts";
import { SlowLane, type SlowLaneEvents } from "../../src/child/slow-lane/slow-lane.ts";
import { waitFor } from "../harness/wait.ts";
import { RawConnection } from "./load.ts";

/** The lane's threshold in these tests; `?ms=12` is slow, a request without `ms` cheap. */
export const THRESHOLD_MS = 10;

export interface LaneServer {
  readonly lane: SlowLane;
  /** Each request that started, as its path and `n`, in the order they started. */
  readonly ran: string[];
  /** A GET on a connection of its own, to the end of the reply. */
  fetch(path: string): Promise<void>;
  /** Opens raw keep-alive connections, closed with the server, once the server has accepted them. */
  open(count: number): Promise<RawConnection[]>;
}

export interface LaneOptions {
  readonly events?: SlowLaneEvents;
  readonly maxWaitMs?: number;
  /** Called by the server after the lane has been handed each request. */
  readonly afterServe?: (request: IncomingMessage, response: ServerResponse) => void;
}

// Records the request, holds the loop for `?ms=` by the clock, names the route `/users/:name` when
// `?named`, and throws for `?throw`.
function recordingAnswer(ran: string[]) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://x");
    ran.push(url.pathname + (url.searchParams.get("n") ?? ""));
    if (url.searchParams.has("named")) nameRoute(request, "/users/:name");
    const end = performance.now() + Number(url.searchParams.get("ms") ?? 0);
    while (performance.now() < end);
    if (url.searchParams.has("throw")) throw new Error("the answer threw");
    response.setHeader("content-length", "2");
    response.end("ok");
  };
}

/** Runs `test` against a lane on a server of its own, and closes the server and every connection after. */
export async function withLane(options: LaneOptions, test: (server: LaneServer) => Promise<void>) {
  const ran: string[] = [];
  const lane = new SlowLane(recordingAnswer(ran), THRESHOLD_MS, options.events, options.maxWaitMs);
  const server = createServer((request, response) => {
    lane.serve(request, response);
    options.afterServe?.(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const opened: RawConnection[] = [];
  const fetch = (path: string) =>
    new Promise<void>((resolve, reject) => {
      get({ host: "127.0.0.1", port, path, agent: false }, (reply) => {
        reply.resume();
        reply.on("end", resolve);
      }).on("error", reject);
    });
  let accepted = 0;
  server.on("connection", () => accepted++);
  const open = async (count: number) => {
    const expected = accepted + count;
    const connections = await Promise.all(Array.from({ length: count }, () => RawConnection.open(port)));
    opened.push(...connections);
    // The server accepts about one connection per turn of its loop: once it has them all, what the
    // test sends on them is read in one turn.
    await waitFor(`the server to accept ${count} connection(s)`, () => accepted >= expected, 15_000, 1);
    return connections;
  };
  try {
    await test({ lane, ran, fetch, open });
  } finally {
    for (const connection of opened) connection.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Makes `GET /heavy` slow: two slow requests, since a route's first is not counted. Clears `ran`. */
export async function learnHeavy({ lane, fetch, ran }: LaneServer): Promise<void> {
  await fetch("/heavy?ms=12");
  if (lane.slowRoutes.size !== 0) throw new Error("one slow request made a route slow");
  await fetch("/heavy?ms=12");
  if (!lane.slowRoutes.has("GET /heavy")) throw new Error("two slow requests did not make /heavy slow");
  ran.length = 0;
}

/** Sends GETs for `paths` on `connection` in one write, so the server reads them in one turn. */
export function pipeline(connection: RawConnection, paths: readonly string[]): void {
  connection.socket.write(
    paths.map((path) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`).join(""),
  );
}
