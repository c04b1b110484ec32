// Listen specs: ports, host:port, [IPv6]:port, unix socket paths, or the same as objects. Also the
// check that no two listeners ask for the same address, which would only fail later, at bind time.
import { isIPv4, isIPv6 } from "node:net";
import { resolve } from "node:path";
import { ConfigInvalidError, describeValue, isRecord } from "./errors.ts";
import type { ConfigProblem } from "./types/problem.ts";
import type { Listener } from "./types/resolved-config.ts";

/** The host a bare port listens on: every IPv4 interface, as Apache's `Listen 8080`. */
export const ANY_HOST = "0.0.0.0";

// sun_path holds 108 bytes on Linux, 104 on macOS and the BSDs, including the final NUL.
export const MAX_SOCKET_PATH_BYTES = process.platform === "linux" ? 107 : 103;
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const OBJECT_KEYS = ["port", "host", "path"];
const HOW = 'use a port (8080), "host:port", "[ipv6]:port", or a socket path ("./app.sock", "unix:app.sock")';

/**
 * Reads one listen spec; relative socket paths start from `baseDir`. Problems go to `problems`, named
 * after `field` (e.g. `listen[1]`, `listen[1].port`), and the result is then undefined.
 */
export function readListen(
  spec: unknown,
  field: string,
  baseDir: string,
  problems: ConfigProblem[],
): Listener | undefined {
  const fail = (reason: string, at = field): undefined => {
    problems.push({ field: at, reason });
  };
  if (typeof spec === "number") {
    if (!isPort(spec)) return fail(`must be a port from 1 to 65535, got ${describeValue(spec)}`);
    return tcp(ANY_HOST, spec);
  }
  if (typeof spec === "string") return readListenString(spec, baseDir, fail);
  if (isRecord(spec)) return readListenObject(spec, field, baseDir, problems);
  return fail(`must be a port, an address or a socket path, got ${describeValue(spec)}: ${HOW}`);
}

/** Parses one listen spec; throws DROVER_ERR_CONFIG_INVALID naming `field` if it is not one. */
export function parseListen(spec: unknown, baseDir: string, field = "listen"): Listener {
  const problems: ConfigProblem[] = [];
  const listener = readListen(spec, field, baseDir, problems);
  if (listener === undefined) throw new ConfigInvalidError(problems);
  return listener;
}

/** `0.0.0.0:8080`, `[::1]:8080`, `unix:/run/app.sock`: for logs and messages. */
export function formatListener(listener: Listener): string {
  if (listener.kind === "unix") return `unix:${listener.path}`;
  return listener.host.includes(":")
    ? `[${listener.host}]:${listener.port}`
    : `${listener.host}:${listener.port}`;
}

/**
 * Refuses a listener that repeats an earlier one, or whose address an earlier one already takes: the
 * wildcard 0.0.0.0 takes a port on every IPv4 address, and :: on every address (dual stack).
 */
export function findListenClashes(
  listeners: readonly { field: string; listener: Listener }[],
  problems: ConfigProblem[],
): void {
  listeners.forEach(({ field, listener }, i) => {
    for (const earlier of listeners.slice(0, i)) {
      const shown = `${earlier.field} ("${formatListener(earlier.listener)}")`;
      if (formatListener(earlier.listener) === formatListener(listener)) {
        problems.push({ field, reason: `repeats ${shown}: remove one of them` });
        return;
      }
      if (covers(earlier.listener, listener)) {
        problems.push({
          field,
          reason: `overlaps ${shown}, which takes ${scope(earlier.listener)}: remove one of them`,
        });
        return;
      }
      if (covers(listener, earlier.listener)) {
        problems.push({
          field,
          reason: `takes ${scope(listener)}, so it overlaps ${shown}: remove one of them`,
        });
        return;
      }
    }
  });
}

type TcpListener = Extract<Listener, { kind: "tcp" }>;

// True if `wide` is a wildcard that takes `narrow`'s address too.
function covers(wide: Listener, narrow: Listener): wide is TcpListener {
  if (wide.kind !== "tcp" || narrow.kind !== "tcp" || wide.port !== narrow.port) return false;
  return wide.host === "::" || (wide.host === ANY_HOST && isIPv4(narrow.host));
}

function scope(wide: TcpListener): string {
  return `port ${wide.port} on every ${wide.host === ANY_HOST ? "IPv4 " : ""}address`;
}

function readListenString(
  spec: string,
  baseDir: string,
  fail: (reason: string) => undefined,
): Listener | undefined {
  const text = spec.trim();
  const got = `got ${describeValue(spec)}`;
  if (text === "") return fail(`is empty: ${HOW}`);
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    return isPort(port) ? tcp(ANY_HOST, port) : fail(`has port ${port}, outside 1 to 65535, ${got}: ${HOW}`);
  }
  if (text.startsWith("unix:")) return socketPath(text.slice("unix:".length), baseDir, got, fail);
  if (text.includes("/") || text.endsWith(".sock")) return socketPath(text, baseDir, got, fail);

  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1] ?? "";
    portText = bracketed[2] ?? "";
    if (!isIPv6(host)) return fail(`has "${host}" in brackets, which is not an IPv6 address, ${got}: ${HOW}`);
  } else {
    if (isIPv6(text)) {
      const colon = text.lastIndexOf(":");
      const [head, tail] = [text.slice(0, colon), text.slice(colon + 1)];
      const split =
        isIPv6(head) && /^\d+$/.test(tail) ? ` (or "[${head}]:${tail}" if ${tail} is the port)` : "";
      return fail(
        `is an IPv6 address with no port, ${got}: put the address in brackets, "[${text}]:8080"${split}`,
      );
    }
    const colon = text.lastIndexOf(":");
    if (colon < 0)
      return fail(`has no port, ${got}: write "${text}:8080", or a bare port for every interface`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(":")) {
      return fail(
        `looks like an IPv6 address without brackets, ${got}: write "[${host}]:${portText || 8080}"`,
      );
    }
    if (host === "")
      return fail(`has no host before the port, ${got}: write just ${portText} for every interface`);
    if (host === "*") host = ANY_HOST;
    if (!isIPv4(host) && !HOSTNAME.test(host)) {
      return fail(`has host "${host}", which is not an IP address or a host name, ${got}: ${HOW}`);
    }
  }
  if (portText === "")
    return fail(`has no port after the host, ${got}: write "${text.replace(/:?$/, ":")}8080"`);
  const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
  if (!isPort(port)) return fail(`has port "${portText}", not a number from 1 to 65535, ${got}: ${HOW}`);
  return tcp(host.toLowerCase(), port);
}

function readListenObject(
  spec: Record<string, unknown>,
  field: string,
  baseDir: string,
  problems: ConfigProblem[],
): Listener | undefined {
  const before = problems.length;
  for (const key of Object.keys(spec)) {
    if (!OBJECT_KEYS.includes(key)) {
      problems.push({
        field: `${field}.${key}`,
        reason: "is not a listen setting: use port and host for TCP, or path for a unix socket",
      });
    }
  }
  const { port, host, path } = spec;
  if (path !== undefined && (port !== undefined || host !== undefined)) {
    problems.push({
      field,
      reason: "has both path and port/host: a listener is TCP or a unix socket, not both",
    });
    return undefined;
  }
  if (path !== undefined) {
    if (typeof path !== "string") {
      problems.push({ field: `${field}.path`, reason: `must be a socket path, got ${describeValue(path)}` });
      return undefined;
    }
    const fail = (reason: string): undefined => {
      problems.push({ field: `${field}.path`, reason });
    };
    const listener = socketPath(path, baseDir, `got ${describeValue(path)}`, fail);
    return problems.length === before ? listener : undefined;
  }
  if (port === undefined) {
    problems.push({ field, reason: "needs a port (TCP) or a path (unix socket): e.g. { port: 8080 }" });
    return undefined;
  }
  if (typeof port !== "number" || !isPort(port)) {
    problems.push({
      field: `${field}.port`,
      reason: `must be a port from 1 to 65535, got ${describeValue(port)}`,
    });
  }
  let address = ANY_HOST;
  if (host !== undefined) {
    const bare = typeof host === "string" ? host.replace(/^\[(.*)\]$/, "$1") : "";
    if (typeof host !== "string" || !(isIPv4(bare) || isIPv6(bare) || HOSTNAME.test(bare))) {
      problems.push({
        field: `${field}.host`,
        reason: `must be an IP address or a host name, got ${describeValue(host)}`,
      });
    } else {
      address = bare.toLowerCase();
    }
  }
  return problems.length === before ? tcp(address, port as number) : undefined;
}

function socketPath(
  path: string,
  baseDir: string,
  got: string,
  fail: (reason: string) => undefined,
): Listener | undefined {
  if (path === "") return fail(`names no socket path, ${got}: write "unix:app.sock" or "./app.sock"`);
  if (path.includes("\0")) return fail(`has a NUL character in its socket path, ${got}`);
  const absolute = resolve(baseDir, path);
  const bytes = Buffer.byteLength(absolute);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    return fail(
      `names a socket path of ${bytes} bytes (${absolute}), longer than the ${MAX_SOCKET_PATH_BYTES} ` +
        "the system allows: use a shorter path",
    );
  }
  return { kind: "unix", path: absolute };
}

function tcp(host: string, port: number): Listener {
  return { kind: "tcp", host, port };
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}
