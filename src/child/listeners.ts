// A child's side of the listeners. It keeps each inherited descriptor and accepts on a duplicate of
// it, so that it can stop accepting (close the duplicate) when it has no idle worker slot, and start
// again later (a fresh duplicate), while the socket itself stays open in the master and in the other
// children, which keep accepting meanwhile.
import type { Server as HttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { LISTEN_BACKLOG, sockets } from "../net/sockets.ts";

export class ChildListeners {
  readonly #fds: readonly number[];
  readonly #target: HttpServer;
  readonly #accepted: (socket: Socket) => void;
  #servers: Server[] = [];
  #closed = false;

  /** `fds` are the inherited descriptors; each accepted connection goes to `accepted`, then to `target`. */
  constructor(fds: readonly number[], target: HttpServer, accepted: (socket: Socket) => void) {
    this.#fds = fds;
    this.#target = target;
    this.#accepted = accepted;
  }

  get accepting(): boolean {
    return this.#servers.length > 0;
  }

  /** Starts accepting on every listener; resolves once all of them are. */
  async resume(): Promise<void> {
    if (this.#closed || this.accepting) return;
    const hand = (socket: Socket) => {
      this.#accepted(socket);
      this.#target.emit("connection", socket);
    };
    this.#servers = this.#fds.map(() => createServer(hand));
    await Promise.all(
      this.#servers.map(
        (server, index) =>
          new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            // With a descriptor, Node ignores options.backlog: only this form keeps the master's.
            server.listen({ fd: sockets().dupFd(this.#fds[index] as number) }, LISTEN_BACKLOG, () => {
              server.off("error", reject);
              resolve();
            });
          }),
      ),
    );
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
}
