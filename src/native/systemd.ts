// The systemd half of drover's N-API addon: sd_notify's datagram (native/notify.c), which Node cannot
// send, and a look at the sockets systemd passes for socket activation (native/activation.c).
import { loadAddon } from "./addon.ts";

/** What describeSocket() finds out about a descriptor. */
export interface SocketDescription {
  /** False for a descriptor that is not a socket (then nothing else is filled in). */
  readonly socket: boolean;
  readonly stream?: boolean;
  /** listen() was called on it (SO_ACCEPTCONN). */
  readonly listening?: boolean;
  readonly family?: "inet" | "inet6" | "unix" | "other";
  /** The numeric address it is bound to ("127.0.0.1", "::"), for inet and inet6. */
  readonly address?: string;
  readonly port?: number;
  /** An inet6 socket that takes no IPv4 connections (IPV6_V6ONLY). */
  readonly v6only?: boolean;
  /** A unix socket's path, "@name" for an abstract one, "" for one with no name. */
  readonly path?: string;
}

interface NativeSystemd {
  notify(socket: string, message: string): void;
  describeSocket(fd: number): SocketDescription;
  setCloexec(fd: number): void;
}

function native(): NativeSystemd {
  return loadAddon() as NativeSystemd;
}

/**
 * Sends `message` (sd_notify's "KEY=VALUE" lines) as one datagram to `socket`: a path, or "@name" for
 * an abstract socket, as $NOTIFY_SOCKET has it. Throws an errno-shaped Error when it cannot.
 */
export function sendNotify(socket: string, message: string): void {
  native().notify(socket, message);
}

/** What the descriptor `fd` is: a socket or not, its type, whether it listens, its address. */
export function describeSocket(fd: number): SocketDescription {
  return native().describeSocket(fd);
}

/** Makes `fd` close-on-exec, so that no process the master spawns inherits it by accident. */
export function setCloexec(fd: number): void {
  native().setCloexec(fd);
}
