// What one call of `server.listen(...)` asks for, read the way net.Server reads its arguments: a TCP
// port (with or without a host), a unix socket path, or something drover leaves to Node (a handle or
// descriptor the app already has, or arguments Node will refuse); and its callback.

export type ListenTarget =
  | { readonly kind: "tcp"; readonly port: number; readonly host: string | undefined }
  | { readonly kind: "path"; readonly path: string }
  | { readonly kind: "other" };

export interface ListenCall {
  readonly target: ListenTarget;
  readonly callback: ((...args: unknown[]) => void) | undefined;
  /** The call as the app could have written it, for the log: `listen(3000)`, `listen("/run/app.sock")`. */
  readonly text: string;
}

const OTHER: ListenCall = { target: { kind: "other" }, callback: undefined, text: "listen(...)" };

export function readListenCall(args: readonly unknown[]): ListenCall {
  const last = args.at(-1);
  const callback = typeof last === "function" ? (last as (...args: unknown[]) => void) : undefined;
  const first = args[0];
  // listen() and listen(callback): a port the system picks.
  if (args.length === 0 || typeof first === "function") return tcp(0, undefined, callback);
  if (typeof first === "object" && first !== null)
    return fromOptions(first as Record<string, unknown>, callback);
  if (isPipeName(first)) return path(first, callback);
  const port = toPort(first);
  if (port === undefined) return OTHER;
  return tcp(port, typeof args[1] === "string" ? args[1] : undefined, callback);
}

// listen({ port, host }), listen({ path }), or a handle: an object with `_handle`, `handle` or `fd`.
function fromOptions(options: Record<string, unknown>, callback: ListenCall["callback"]): ListenCall {
  if (options._handle || options.handle || typeof options.fd === "number") return OTHER;
  if ("port" in options) {
    const port = toPort(options.port);
    if (port === undefined) return OTHER;
    return tcp(port, typeof options.host === "string" ? options.host : undefined, callback);
  }
  if (isPipeName(options.path)) return path(options.path, callback);
  return OTHER;
}

function tcp(port: number, host: string | undefined, callback: ListenCall["callback"]): ListenCall {
  const text = `listen(${port}${host === undefined ? "" : `, ${JSON.stringify(host)}`})`;
  return { target: { kind: "tcp", port, host }, callback, text };
}

function path(socket: string, callback: ListenCall["callback"]): ListenCall {
  return { target: { kind: "path", path: socket }, callback, text: `listen(${JSON.stringify(socket)})` };
}

// As Node: a string that is not a number of 0 or more is a pipe (unix socket) name.
function isPipeName(value: unknown): value is string {
  return typeof value === "string" && !(Number(value) >= 0);
}

// A port as Node takes one: a whole number from 0 to 65535, or a string of one; null or undefined is 0.
function toPort(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  if (typeof value === "string" && value.trim() === "") return undefined;
  const port = typeof value === "number" || typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : undefined;
}
