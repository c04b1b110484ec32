// The control socket: a unix socket in the run directory that the `drover` command talks to, owner-only
// from the moment it exists. The messages are in control-protocol.ts, one client's handling in
// control-connection.ts. Connections are capped and tracked, so close() ends every one of them and no
// client can keep a stopping master alive.
import { chmodSync, lstatSync, mkdtempSync, renameSync, rmSync, unlinkSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { dirname, join } from "node:path";
import { DroverError, ErrorCode } from "../../errors.ts";
import { type ConnectionLimits, ControlConnection } from "./control-connection.ts";
import type { ControlHandler } from "./control-protocol.ts";

export type { ControlHandler, ControlId, ControlReply, ControlRequest } from "./control-protocol.ts";
export { parseRequest } from "./control-protocol.ts";

export interface ControlServerOptions extends Partial<ConnectionLimits> {
  /** Connections served at once; one more is told so and closed. */
  readonly maxConnections?: number;
  /** How long close() lets a request in progress finish and its reply go out. */
  readonly closeGraceMs?: number;
}

export interface ControlServer {
  /** Where the socket listens. */
  readonly path: string;
  /** Connections open now (a refused one counts until it is closed). */
  readonly connections: number;
  /** Stops listening, closes every connection, removes the socket file; settles once all are closed. */
  close(): Promise<void>;
}

const DEFAULTS: Required<ControlServerOptions> = {
  // Requests are a few dozen bytes; a line this long is not a request.
  maxLineBytes: 64 * 1024,
  maxQueued: 16,
  idleTimeoutMs: 10_000,
  writeTimeoutMs: 10_000,
  maxConnections: 64,
  closeGraceMs: 2_000,
};

/** Listens on `path` (mode 0600, replacing what is there) and answers each request line with `handle`. */
export async function startControlServer(
  path: string,
  handle: ControlHandler,
  options: ControlServerOptions = {},
): Promise<ControlServer> {
  const settings = { ...DEFAULTS, ...options };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new DroverError(
        ErrorCode.CONFIG_INVALID,
        `control server: ${name} must be a positive whole number, not ${String(value)}`,
      );
    }
  }
  const server = new ListeningControlServer(path, handle, settings);
  await server.listen();
  return server;
}

class ListeningControlServer implements ControlServer {
  readonly path: string;
  readonly #settings: Required<ControlServerOptions>;
  readonly #server: Server;
  readonly #connections = new Set<ControlConnection>();
  #socketFile: { dev: number; ino: number } | undefined;
  #closing: Promise<void> | undefined;

  constructor(path: string, handle: ControlHandler, settings: Required<ControlServerOptions>) {
    this.path = path;
    this.#settings = settings;
    // Half-open allowed: a client may send its request and end its side, and still get the reply.
    this.#server = createServer({ allowHalfOpen: true }, (socket) => {
      const connection = new ControlConnection(socket, handle, settings);
      if (this.#closing) void connection.shutDown(0);
      else if (this.#connections.size >= settings.maxConnections) {
        connection.refuse(
          `the control socket already has ${settings.maxConnections} connections open: ` +
            "close the idle ones, or try again in a moment",
          ErrorCode.CONTROL_BUSY,
        );
      }
      this.#connections.add(connection);
      void connection.closed.then(() => this.#connections.delete(connection));
    });
  }

  get connections(): number {
    return this.#connections.size;
  }

  /**
   * Binds in a fresh folder beside `path` (mkdtemp makes it 0700), makes the socket 0600 there, then
   * renames it into place: at no moment can another user reach it, whatever the umask and whoever
   * may enter path's folder.
   */
  async listen(): Promise<void> {
    const hideout = mkdtempSync(join(dirname(this.path), ".c"));
    const temporary = join(hideout, "s");
    try {
      await new Promise<void>((resolve, reject) => {
        this.#server.once("error", reject);
        this.#server.listen(temporary, () => {
          this.#server.off("error", reject);
          resolve();
        });
      });
      chmodSync(temporary, 0o600);
      renameSync(temporary, this.path);
      const { dev, ino } = lstatSync(this.path);
      this.#socketFile = { dev, ino };
    } catch (error) {
      this.#server.close();
      throw error;
    } finally {
      rmSync(hideout, { recursive: true, force: true });
    }
    // An accept that fails (EMFILE) is not fatal: the next connection is accepted again.
    this.#server.on("error", () => {});
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const { closeGraceMs } = this.#settings;
    await Promise.all([...this.#connections].map((connection) => connection.shutDown(closeGraceMs)));
    await stopped;
    this.#removeSocketFile();
  }

  // Only our own socket: a master started since may have put its own in place.
  #removeSocketFile(): void {
    try {
      const { dev, ino } = lstatSync(this.path);
      if (dev === this.#socketFile?.dev && ino === this.#socketFile.ino) unlinkSync(this.path);
    } catch {
      // Already gone.
    }
  }
}
