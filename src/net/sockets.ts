// The socket half of drover's N-API addon (native/listen.c): listening descriptors the master holds
// without ever accepting on them.
import { loadAddon } from "../native/addon.ts";

interface NativeSockets {
  listenTcp(host: string, port: number, backlog: number, reusePort: boolean): number;
  listenUnix(path: string, backlog: number): number;
  localPort(fd: number): number;
  dupFd(fd: number): number;
  closeFd(fd: number): void;
  /** Connections waiting in a TCP listener's accept queue; -1 for a socket that is not TCP. */
  acceptQueue(fd: number): number;
}

/**
 * The listen backlog, for the master and for every child that re-listens the socket: as large as the
 * kernel allows (it caps at net.core.somaxconn), so connections wait while children are busy or replaced.
 */
export const LISTEN_BACKLOG = 4096;

export function sockets(): NativeSockets {
  return loadAddon() as NativeSockets;
}
