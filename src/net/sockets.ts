// The socket half of drover's N-API addon (native/listen.c): listening descriptors the master holds
// without ever accepting on them.
import { loadAddon } from "../native/addon.ts";

interface NativeSockets {
  listenTcp(host: string, port: number, backlog: number, reusePort: boolean): number;
  listenUnix(path: string, backlog: number): number;
  localPort(fd: number): number;
  dupFd(fd: number): number;
  closeFd(fd: number): void;
}

export function sockets(): NativeSockets {
  return loadAddon() as NativeSockets;
}
