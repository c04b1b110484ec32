// Which TCP ports a process listens on, from /proc: its socket descriptors (/proc/<pid>/fd) matched
// against the LISTEN entries of /proc/<pid>/net/tcp and tcp6. The hung-child tests use it to prove no
// drover process ever opens a port besides its configured listeners (an inspector, for one).
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** The TCP ports `pid` listens on now; [] once it is gone. */
export function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const inode = safeReadlink(`/proc/${pid}/fd/${fd}`)?.match(/^socket:\[(\d+)\]$/)?.[1];
      if (inode) inodes.add(inode);
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const table of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
      // State 0A is LISTEN.
      if (state === "0A" && inode && inodes.has(inode) && local)
        ports.push(Number.parseInt(local.split(":")[1] ?? "", 16));
    }
  }
  return ports;
}

/**
 * Looks at the processes `pids()` names every few milliseconds until stop(), which returns every
 * listening port seen that is not in `allowed`, as "pid:port".
 */
export function watchListeningPorts(
  pids: () => readonly number[],
  allowed: ReadonlySet<number>,
): { stop(): string[] } {
  const seen = new Set<string>();
  const look = () => {
    for (const pid of pids())
      for (const port of listeningTcpPorts(pid)) if (!allowed.has(port)) seen.add(`${pid}:${port}`);
  };
  look();
  const timer = setInterval(look, 20);
  return {
    stop: () => {
      clearInterval(timer);
      look();
      return [...seen];
    },
  };
}

function safeReadlink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
