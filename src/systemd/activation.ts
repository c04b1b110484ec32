// Socket activation (sd_listen_fds(3)): systemd, or `systemd-socket-activate`, binds the listening
// sockets itself and starts the master with them as descriptors 3, 4, ...; $LISTEN_FDS says how many,
// $LISTEN_PID which process they are for, and $LISTEN_FDNAMES their names (FileDescriptorName=). The
// master serves on them instead of binding its listen entries. The variables are removed from its
// environment whatever they say, so that no child or drone believes sockets were passed to it.
import { formatListener } from "../config/listen.ts";
import type { Listener } from "../config/types/resolved-config.ts";
import { DroverError, ErrorCode } from "../errors.ts";
import { describeSocket, setCloexec } from "../native/systemd.ts";

export const LISTEN_VARIABLES = ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"] as const;

// sd_listen_fds(3): the first passed descriptor is 3; far more than this is not a socket unit's doing.
const FIRST_FD = 3;
const MOST_FDS = 1024;

/** One socket systemd passed. */
export interface PassedSocket {
  readonly fd: number;
  /** Its FileDescriptorName=, when systemd named them. */
  readonly name: string | undefined;
  /** What it is bound to, as a listen entry would say it (numeric host; "@name" for an abstract socket). */
  readonly bound: Listener;
  /** An IPv6 wildcard that takes IPv4 connections too (systemd's default for `ListenStream=8080`). */
  readonly dualStack: boolean;
}

export interface Activation {
  readonly sockets: readonly PassedSocket[];
  /** Why variables that were set were not used, for the log. */
  readonly notes: readonly string[];
}

/**
 * The sockets passed to process `pid`, each made close-on-exec; the variables are then removed from
 * `env`. Throws DROVER_ERR_LISTEN_ACTIVATION for a passed descriptor drover cannot serve on.
 */
export function takePassedSockets(env: NodeJS.ProcessEnv = process.env, pid = process.pid): Activation {
  const { LISTEN_FDS: count, LISTEN_PID: owner, LISTEN_FDNAMES: names } = env;
  for (const name of LISTEN_VARIABLES) delete env[name];
  if (count === undefined) return { sockets: [], notes: [] };
  if (owner !== String(pid)) {
    const whose = owner === undefined ? "no process (LISTEN_PID is not set)" : `process ${owner}`;
    return {
      sockets: [],
      notes: [
        `LISTEN_FDS is set for ${whose}, not this one (pid ${pid}): the passed sockets are not used. ` +
          "Start drover itself from the unit (ExecStart=/usr/bin/node .../drover/dist/cli/main.js start), not through npx or a shell",
      ],
    };
  }
  if (!/^\d+$/.test(count) || Number(count) > MOST_FDS) {
    throw activationError(`LISTEN_FDS is "${count}", not a number of passed descriptors`);
  }
  const nameList = names?.split(":");
  const total = Number(count);
  const sockets: PassedSocket[] = [];
  for (let index = 0; index < total; index++) {
    const fd = FIRST_FD + index;
    const name = nameList?.length === total ? nameList[index] : undefined;
    sockets.push(passedSocket(fd, name));
    setCloexec(fd);
  }
  return { sockets, notes: [] };
}

function passedSocket(fd: number, name: string | undefined): PassedSocket {
  const which = `descriptor ${fd}${name === undefined ? "" : ` ("${name}")`}`;
  let socket: ReturnType<typeof describeSocket>;
  try {
    socket = describeSocket(fd);
  } catch (cause) {
    throw activationError(`${which}, passed by systemd, cannot be read: ${(cause as Error).message}`, cause);
  }
  const fix = "the socket unit must use ListenStream= (TCP or a unix socket path) for drover";
  if (!socket.socket) throw activationError(`${which}, passed by systemd, is not a socket: ${fix}`);
  if (!socket.stream || !socket.listening) {
    throw activationError(`${which}, passed by systemd, is not a listening stream socket: ${fix}`);
  }
  if (socket.family === "unix") {
    return { fd, name, bound: { kind: "unix", path: socket.path ?? "" }, dualStack: false };
  }
  if (socket.family !== "inet" && socket.family !== "inet6") {
    throw activationError(`${which}, passed by systemd, is neither TCP nor a unix socket: ${fix}`);
  }
  const host = socket.address ?? "";
  return {
    fd,
    name,
    bound: { kind: "tcp", host, port: socket.port ?? 0 },
    dualStack: socket.family === "inet6" && host === "::" && socket.v6only === false,
  };
}

/**
 * The passed socket that serves `listener` (its host already numeric): the same unix path, or the
 * same host and port; a wildcard passed as `[::]` taking IPv4 too serves `0.0.0.0` of its port.
 */
export function passedFor(
  listener: Listener,
  numericHost: string | undefined,
  passed: Iterable<PassedSocket>,
): PassedSocket | undefined {
  for (const socket of passed) {
    const { bound } = socket;
    if (listener.kind === "unix") {
      if (bound.kind === "unix" && bound.path === listener.path) return socket;
      continue;
    }
    if (bound.kind !== "tcp" || bound.port !== listener.port) continue;
    if (bound.host === numericHost) return socket;
    if (socket.dualStack && numericHost === "0.0.0.0") return socket;
  }
  return undefined;
}

/** How a passed socket is named in messages: its address, descriptor and name. */
export function describePassed(socket: PassedSocket): string {
  const name = socket.name === undefined ? "" : `, "${socket.name}"`;
  return `${formatListener(socket.bound)} (descriptor ${socket.fd}${name})`;
}

/** The refusal for passed sockets that no listen entry names. */
export function unmatchedPassed(left: readonly PassedSocket[], listen: readonly Listener[]): DroverError {
  const sockets = left.map(describePassed).join(", ");
  const entries = listen.map(formatListener).join(", ") || "none";
  return activationError(
    `systemd passed ${left.length === 1 ? "a socket" : "sockets"} on ${sockets} that no listen entry names ` +
      `(listen: ${entries}): add ${left.length === 1 ? "it" : "them"} to listen, or take ${left.length === 1 ? "it" : "them"} out of the socket unit. ` +
      "drover does not serve where the config does not say, nor leave connections waiting on a socket nobody accepts on",
  );
}

function activationError(message: string, cause?: unknown): DroverError {
  return new DroverError(ErrorCode.LISTEN_ACTIVATION, message, { cause });
}
