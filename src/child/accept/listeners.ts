// A child's side of the listeners. It keeps each inherited descriptor and accepts on a duplicate of
// it, so that it can stop accepting (close the duplicate) when it has no worker slot to give, and start
// again later (a fresh duplicate), while the socket itself stays open in the master and in the other
// children, which keep accepting meanwhile.
import type { Server as HttpServer } from "node:http";
import { createServer, type Server, type ServerOpts, type Socket } from "node:net";
import { LISTEN_BACKLOG, sockets } from "../../net/sockets.ts";

export class ChildListeners {
  readonly #fds: readonly number[];
  readonly #target: HttpServer;
  readonly #accepted: (socket: Socket) => void;
  readonly #failed: (error: unknown) => void;
  readonly #onConnection: (socket: Socket) => void;
  readonly #options: ServerOpts;
  #servers: Server[] = [];
  #closed = false;

  /**
   * `fds` are the inherited descriptors; each accepted connection goes to `accepted`, then to
   * `target`. `failed` hears of an error on a listener after it started (accept failing: EMFILE).
   */
  constructor(
    fds: readonly number[],
    target: HttpServer,
    accepted: (socket: Socket) => void,
    failed: (error: unknown) => void,
  ) {
    this.#fds = fds;
    this.#target = target;
    this.#accepted = accepted;
    this.#failed = failed;
    this.#onConnection = (socket) => {
      this.#accepted(socket);
      this.#target.emit("connection", socket);
    };
    this.#options = connectionOptions(target);
  }

  get accepting(): boolean {
    return this.#servers.length > 0;
  }

  /** Starts accepting on every listener; resolves once all of them are (rejects when one cannot). */
  async resume(): Promise<void> {
    if (this.#closed || this.accepting) return;
    const servers = this.#fds.map(() => createServer(this.#options, this.#onConnection));
    this.#servers = servers;
    try {
      await Promise.all(servers.map((server, index) => this.#listen(server, this.#fds[index] as number)));
    } catch (error) {
      this.pause();
      throw error;
    }
  }

  /** Stops accepting; connections already accepted go on. */
  pause(): void {
    for (const server of this.#servers) server.close();
    this.#servers = [];
  }

  /** Stops accepting for good and lets go of the inherited descriptors. */
  close(): void {
    if (this.#closed) return;
    this.pause();
    this.#closed = true;
    for (const fd of this.#fds) sockets().closeFd(fd);
  }

  /** Connections waiting to be accepted on the TCP listeners (0 when none can be told). */
  waiting(): number {
    if (this.#closed) return 0;
    let waiting = 0;
    for (const fd of this.#fds) waiting += Math.max(0, sockets().acceptQueue(fd));
    return waiting;
  }

  #listen(server: Server, fd: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      // With a descriptor, Node ignores options.backlog: only this form keeps the master's.
      server.listen({ fd: sockets().dupFd(fd) }, LISTEN_BACKLOG, () => {
        server.off("error", reject);
        server.on("error", this.#failed);
        resolve();
      });
    });
  }
}

/**
 * The connection options of `target`, for the servers that accept its connections. Node applies a
 * server's options only to the connections that server accepts itself: without them an http server's
 * connections here would keep Nagle's algorithm on (a response written in two parts then waits for the
 * client's delayed ACK) and would not be half-open as Node's http code expects.
 */
export function connectionOptions(target: HttpServer): ServerOpts {
  // Fields every net.Server keeps, though Node's types do not list them; keepAliveInitialDelay in seconds.
  const own = target as HttpServer & Partial<Record<keyof ServerOpts, unknown>>;
  return {
    allowHalfOpen: own.allowHalfOpen === true,
    noDelay: own.noDelay === true,
    keepAlive: own.keepAlive === true,
    keepAliveInitialDelay:
      typeof own.keepAliveInitialDelay === "number" ? own.keepAliveInitialDelay * 1000 : 0,
    ...(typeof own.highWaterMark === "number" ? { highWaterMark: own.highWaterMark } : {}),
  };
}
