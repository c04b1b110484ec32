// The sockets the master answers on itself, never through a child: the embedded transport's socket
// (callers of the services), the control socket (the drover command), the health listener and, from
// the first service that has one, the NATS transport. They open once the run directory is this
// master's (for an upgrade's new master: once it serves, over the old master's sockets), the old
// master of an upgrade lets its health port go when it hands over, and the stop closes them.

import { existsSync } from "node:fs";
import type { TcpListener } from "../../config/types/resolved-config.ts";
import type { ResolvedService } from "../../config/types/service.ts";
import type { Dispatch } from "../../dispatch/dispatch.ts";
import type { Logger } from "../../log/logger.ts";
import { type EmbeddedServer, listenEmbedded } from "../../transports/embedded/index.ts";
import type { NatsTransport } from "../../transports/nats/index.ts";
import { type ControlRequest, type ControlServer, startControlServer } from "../control/control-server.ts";
import type { MasterHealth } from "../health/health.ts";
import { type HealthServer, startHealthServer } from "../health/health-server.ts";
import type { Lifecycle } from "../lifecycle.ts";
import { healthWhenFree } from "../upgrade/inherited.ts";
import type { RunFiles } from "./run-files.ts";

export interface ServerParts {
  readonly control: (request: ControlRequest) => Promise<Record<string, unknown>>;
  readonly dispatch: () => Dispatch;
  /** What the health listener (config.health) answers. */
  readonly health: MasterHealth;
}

export class MasterServers {
  readonly #files: RunFiles;
  readonly #log: Logger;
  readonly #parts: ServerParts;
  #control: ControlServer | undefined;
  #embedded: EmbeddedServer | undefined;
  // Loaded with the first service that has a NATS transport.
  #nats: Promise<NatsTransport> | undefined;
  #health: HealthServer | undefined;
  // Servers whose socket file was removed: their connections go on until the stop.
  readonly #former: Array<{ close(): Promise<void> }> = [];
  #remaking: Promise<void> | undefined;
  // The stop began (or the sockets could not be made again): they are not made again.
  #closed = false;

  constructor(files: RunFiles, log: Logger, parts: ServerParts) {
    this.#files = files;
    this.#log = log;
    this.#parts = parts;
  }

  /** The service and control sockets (each renamed into place over what is there), then `health`'s listener. */
  async serve(health: TcpListener | undefined): Promise<void> {
    // Always there, so that a caller of a master without services is told so (NO_SUCH_SERVICE).
    this.#embedded = await listenEmbedded(this.#files.dispatchSocket, this.#parts.dispatch(), this.#log);
    this.#control = await startControlServer(this.#files.controlSocket, this.#parts.control);
    if (health) {
      this.#health = await startHealthServer(health, this.#parts.health, this.#log);
      this.#log.info({ health: this.#health.address }, "health endpoints: GET /livez and /readyz");
    }
  }

  /** An upgrade's new master: the health listener, once the old master has let the port go. */
  serveHealthWhenFree(listen: TcpListener, lifecycle: Lifecycle): void {
    void healthWhenFree(listen, this.#parts.health, this.#log, lifecycle.signal).then((server) => {
      if (server && lifecycle.stopping) void server.close();
      else this.#health = server;
    });
  }

  /** An upgrade's old master has handed over: the new master binds the health port as soon as it is free. */
  letHealthGo(): void {
    void this.#health?.close();
    this.#health = undefined;
  }

  /** The serving generation's services: those with a NATS transport take calls from NATS. */
  serveNats(services: readonly ResolvedService[]): void {
    if (!this.#nats && !services.some((service) => service.nats)) return;
    this.#nats ??= import("../../transports/nats/index.ts").then(
      ({ NatsTransport }) => new NatsTransport(this.#parts.dispatch(), this.#log),
    );
    void this.#nats.then((nats) => nats.serve(services));
  }

  /** A graceful stop: callers over NATS move to the other hosts, so that nothing new arrives. */
  async leaveNats(): Promise<void> {
    await (await this.#nats)?.leave();
  }

  /**
   * Once a second: a socket file that someone removed (a clean-up of the run directory) is listened on
   * afresh, so that new callers and the drover command reach the master again; connections made before
   * stay. A file replaced by another is left alone (an upgrade's new master renames its own over them).
   */
  keepSockets(): void {
    if (this.#closed || this.#remaking || !this.#embedded || !this.#control) return;
    const { dispatchSocket, controlSocket } = this.#files;
    const missing = [dispatchSocket, controlSocket].filter((path) => !existsSync(path));
    if (missing.length === 0) return;
    this.#log.warn(
      { missing },
      `${missing.join(" and ")} ${missing.length > 1 ? "were" : "was"} removed while the master runs: listening there again`,
    );
    this.#remaking = (async () => {
      if (missing.includes(dispatchSocket)) {
        const fresh = await listenEmbedded(dispatchSocket, this.#parts.dispatch(), this.#log);
        if (this.#embedded) this.#former.push(this.#embedded);
        this.#embedded = fresh;
      }
      if (missing.includes(controlSocket)) {
        const fresh = await startControlServer(controlSocket, this.#parts.control);
        if (this.#control) this.#former.push(this.#control);
        this.#control = fresh;
      }
    })()
      .catch((error: unknown) => {
        // Once: a run directory removed whole stays so; its master serves on the sockets it holds.
        this.#closed = true;
        this.#log.error(
          { err: error },
          `cannot listen on the run directory's sockets again (${(error as Error).message}): the connections made go on; restart the master to make them again`,
        );
      })
      .finally(() => {
        this.#remaking = undefined;
      });
  }

  /** The stop's steps for these, in order; each is taken on its own. */
  closing(): Array<() => unknown> {
    return [
      // Every client is cut: none can keep a stopping master alive (review D6).
      async () => {
        this.#closed = true;
        await this.#remaking;
        await Promise.all(this.#former.map((server) => server.close()));
      },
      () => this.#control?.close(),
      () => this.#embedded?.close(),
      async () => (await this.#nats)?.close(),
      // Last of the listeners: /readyz says "stopping" for as long as the stop runs.
      () => this.#health?.close(),
    ];
  }
}
