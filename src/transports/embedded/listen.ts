// The embedded transport, the master's side: a Unix socket in the run directory (dispatch.sock, mode
// 0600) on which callers (`connect()` from `drover/client`) send length-prefixed frames. Each connection
// is handled by connection.ts; this tracks them so that close() ends every one.
import { createServer, type Server } from "node:net";
import { MAX_SOCKET_PATH_BYTES } from "../../config/listen.ts";
import { DroverError, ErrorCode } from "../../errors.ts";
import type { Dispatcher } from "../seam.ts";
import { EmbeddedConnection, type EmbeddedLimits, type EmbeddedLog } from "./connection.ts";
import { listenOwnerOnly, removeIfOurs, type SocketFile } from "./socket-file.ts";

export type { EmbeddedLimits, EmbeddedLog } from "./connection.ts";

export interface EmbeddedServer {
  /** Where the socket listens. */
  readonly path: string;
  /** Connections open now. */
  readonly connections: number;
  /** Bytes held for frames not yet whole, over every connection. */
  readonly bufferedBytes: number;
  /**
   * Stops listening, aborts every call still in flight, ends every connection (replies already
   * written get closeGraceMs to reach their callers) and removes the socket file; settles once all
   * are closed. Drain the dispatcher first for calls to finish.
   */
  close(): Promise<void>;
}

const DEFAULTS: EmbeddedLimits = {
  maxWriteBufferBytes: 64 * 1024 * 1024,
  halfFrameTimeoutMs: 30_000,
  closeGraceMs: 1_000,
};

/** Listens on `path` (mode 0600, replacing a stale file) and hands each caller's calls to `dispatcher`. */
export async function listenEmbedded(
  path: string,
  dispatcher: Dispatcher,
  log: EmbeddedLog,
  options: Partial<EmbeddedLimits> = {},
): Promise<EmbeddedServer> {
  const limits = { ...DEFAULTS, ...options };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new DroverError(
        ErrorCode.CONFIG_INVALID,
        `the service socket's ${name} must be a positive whole number, not ${String(value)}`,
      );
    }
  }
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new DroverError(
      ErrorCode.CONFIG_INVALID,
      `the service socket's path (${path}) would be ${bytes} bytes, past the ${MAX_SOCKET_PATH_BYTES} a ` +
        "socket path may have: choose a shorter runDir",
    );
  }
  const server = new ListeningServer(path, dispatcher, log, limits);
  await server.listen();
  return server;
}

class ListeningServer implements EmbeddedServer {
  readonly path: string;
  readonly #server: Server;
  readonly #connections = new Set<EmbeddedConnection>();
  #socketFile: SocketFile | undefined;
  #closing: Promise<void> | undefined;

  constructor(path: string, dispatcher: Dispatcher, log: EmbeddedLog, limits: EmbeddedLimits) {
    this.path = path;
    this.#server = createServer((socket) => {
      const connection = new EmbeddedConnection(socket, dispatcher, log, limits);
      if (this.#closing) {
        void connection.shutDown();
        return;
      }
      this.#connections.add(connection);
      void connection.closed.then(() => this.#connections.delete(connection));
    });
  }

  get connections(): number {
    return this.#connections.size;
  }

  get bufferedBytes(): number {
    let bytes = 0;
    for (const connection of this.#connections) bytes += connection.bufferedBytes;
    return bytes;
  }

  async listen(): Promise<void> {
    this.#socketFile = await listenOwnerOnly(this.#server, this.path);
    // An accept that fails (EMFILE) is not fatal: the next connection is accepted again.
    this.#server.on("error", () => {});
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await Promise.all([...this.#connections].map((connection) => connection.shutDown()));
    await stopped;
    if (this.#socketFile) removeIfOurs(this.path, this.#socketFile);
  }
}
