// Load for tests that run a real master, all on loopback and all bounded: raw keep-alive
// connections that hold a worker slot, and a loop of keep-alive clients that records every failed
// request with what the test was doing at the time.
import { writeFileSync } from "node:fs";
import { Agent, type ClientRequest, get, request } from "node:http";
import { connect, type Socket } from "node:net";
import { join } from "node:path";

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * One HTTP/1.1 connection written by hand, so the test decides when it sends and when it closes: it
 * keeps its worker slot busy (K) between requests. Replies must carry Content-Length.
 */
export class RawConnection {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #closed = false;
  #wake: () => void = () => {};

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on("error", () => {});
  }

  static open(port: number, timeoutMs = 10_000): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: "127.0.0.1" });
      const timer = setTimeout(() => socket.destroy(new Error("connect timed out")), timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(new RawConnection(socket));
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** True once the server closed the connection (or it was destroyed). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends `GET path` asking to keep the connection, and reads the whole reply. */
  get(path = "/", timeoutMs = 15_000): Promise<RawResponse> {
    this.send(path);
    return this.reply(timeoutMs);
  }

  /** Sends `GET path` asking to keep the connection; reply() reads the replies in order (pipelining). */
  send(path: string): void {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  }

  /** Reads the next whole reply. */
  async reply(timeoutMs = 15_000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = this.#parse();
      if (response) return response;
      if (this.#closed) throw new Error("the connection closed before a reply");
      if (Date.now() > deadline) throw new Error(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** True once the head of a reply (status line and headers) is in, though its body may not be. */
  get headReceived(): boolean {
    return this.#buffer.includes("\r\n\r\n");
  }

  close(): void {
    this.socket.destroy();
  }

  #parse(): RawResponse | undefined {
    const end = this.#buffer.indexOf("\r\n\r\n");
    if (end < 0) return undefined;
    const [statusLine = "", ...lines] = this.#buffer.subarray(0, end).toString("latin1").split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers["content-length"]);
    if (!Number.isInteger(length)) throw new Error(`a reply without Content-Length: ${statusLine}`);
    if (this.#buffer.length < end + 4 + length) return undefined;
    const body = this.#buffer.subarray(end + 4, end + 4 + length).toString("utf8");
    this.#buffer = this.#buffer.subarray(end + 4 + length);
    return { status: Number(statusLine.split(" ")[1]), headers, body };
  }
}

/** Opens `count` connections and sends one request on each; resolves once every one has its reply. */
export async function holdConnections(port: number, count: number, timeoutMs = 30_000) {
  const connections = await Promise.all(Array.from({ length: count }, () => RawConnection.open(port)));
  try {
    const replies = await Promise.all(connections.map((connection) => connection.get("/", timeoutMs)));
    const close = () => {
      for (const connection of connections) connection.close();
    };
    return { connections, replies, close };
  } catch (error) {
    for (const connection of connections) connection.close();
    throw error;
  }
}

export interface LoadFailure {
  /** What the test said it was doing when the request started (see `setPhase`). */
  readonly phase: string;
  readonly code: string | undefined;
  readonly message: string;
  /** The request went out on a keep-alive connection that had served before. */
  readonly reusedSocket: boolean;
  /** The reply's status line had arrived when it failed (the body was cut), or a non-200 status. */
  readonly gotResponse: boolean;
  readonly status: number | undefined;
}

export interface LoadReport {
  readonly ok: number;
  readonly failures: readonly LoadFailure[];
  /** How many replies each distinct body prefix (up to the first space) got: "gen=3" → 41. */
  readonly byPrefix: ReadonlyMap<string, number>;
}

export interface Load {
  /** Names what the test is doing now; every failure records it. */
  setPhase(phase: string): void;
  /** Replies so far. */
  readonly ok: number;
  /** Stops the clients, waits for their last requests, and closes every connection. */
  stop(): Promise<LoadReport>;
}

/**
 * `clients` loops, each sending GET `path` one after another through one shared keep-alive agent, until
 * stopped. Each request has its own deadline, so a stop always comes.
 */
export function startLoad(port: number, options: { clients?: number; path?: string } = {}): Load {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const failures: LoadFailure[] = [];
  const byPrefix = new Map<string, number>();
  let ok = 0;
  let phase = "starting";
  let stopped = false;

  const once = () =>
    new Promise<void>((resolve) => {
      const startedIn = phase;
      let gotResponse = false;
      let status: number | undefined;
      let settled = false;
      const fail = (error: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        failures.push({
          phase: startedIn,
          code: error.code,
          message: error.message,
          reusedSocket: req.reusedSocket,
          gotResponse,
          status,
        });
        resolve();
      };
      const req = request({ host: "127.0.0.1", port, path: options.path ?? "/", agent, timeout: 10_000 });
      req.on("timeout", () =>
        req.destroy(Object.assign(new Error("request timed out"), { code: "TIMEOUT" })),
      );
      req.on("error", fail);
      req.on("response", (response) => {
        gotResponse = true;
        status = response.statusCode;
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("error", fail);
        response.on("end", () => {
          if (status !== 200) return fail(new Error(`status ${status}: ${body}`));
          if (settled) return;
          settled = true;
          ok++;
          const prefix = body.split(" ")[0] ?? "";
          byPrefix.set(prefix, (byPrefix.get(prefix) ?? 0) + 1);
          resolve();
        });
      });
      req.end();
    });

  const loops = Array.from({ length: options.clients ?? 4 }, async () => {
    while (!stopped) await once();
  });

  return {
    setPhase: (next) => {
      phase = next;
    },
    get ok() {
      return ok;
    },
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      agent.destroy();
      return { ok, failures, byPrefix };
    },
  };
}

/** One line per failure, for an assertion message. */
export function describeFailures(failures: readonly LoadFailure[]): string {
  return failures
    .map(
      (f) =>
        `[${f.phase}] ${f.code ?? "-"} ${f.message} (reused socket: ${f.reusedSocket}, ` +
        `reply started: ${f.gotResponse}${f.status === undefined ? "" : `, status ${f.status}`})`,
    )
    .join("\n");
}

/**
 * `count` requests that each hold a worker slot (the fixture app's `/slow?until=FILE`: its headers at
 * once, its body once FILE exists). Resolves once every one has its headers, so each holds its slot.
 * `release()` lets them finish and waits for their bodies.
 */
export async function holdWorkers(port: number, count: number, dir: string) {
  const file = join(dir, `release-${Math.random().toString(36).slice(2)}`);
  const held: Array<{ readonly body: Promise<string>; readonly request: ClientRequest }> = [];
  try {
    for (let i = 0; i < count; i++) {
      held.push(
        await new Promise((resolve, reject) => {
          const request = get(
            { host: "127.0.0.1", port, path: `/slow?until=${encodeURIComponent(file)}`, agent: false },
            (response) => {
              let text = "";
              response.setEncoding("utf8");
              response.on("data", (chunk: string) => (text += chunk));
              const body = new Promise<string>((done, fail) => {
                response.once("end", () => done(text));
                response.once("error", fail);
              });
              body.catch(() => {});
              resolve({ body, request });
            },
          );
          request.once("error", reject);
        }),
      );
    }
  } catch (error) {
    for (const { request } of held) request.destroy();
    throw error;
  }
  return {
    bodies: () => Promise.all(held.map(({ body }) => body)),
    release: async () => {
      writeFileSync(file, "");
      return Promise.all(held.map(({ body }) => body));
    },
    close: () => {
      for (const { request } of held) request.destroy();
    },
  };
}
