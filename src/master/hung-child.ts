// A hung child (its heartbeat stopped) is diagnosed before it is killed: its JavaScript stack goes to
// the log, as php-fpm's slowlog does. Node's diagnostic report cannot help here, as it is produced on
// the event loop, which is exactly what is stuck. The inspector can: SIGUSR1 makes Node open it even
// while JavaScript spins, and asking it to pause yields the stack. It listens on loopback only, on a
// port the kernel picks, for the second or so before the child is killed.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import type { Logger } from "../log/logger.ts";
import type { OpenListener } from "./listeners.ts";

const FIND_PORT_MS = 1_500;
const PAUSE_MS = 1_500;

export interface StackFrame {
  readonly function: string;
  readonly url: string;
  readonly line: number;
  readonly column: number;
}

/** The stuck JavaScript stack of `pid`, or the reason it could not be read. */
export async function captureStack(
  pid: number,
  ownPorts: ReadonlySet<number>,
): Promise<StackFrame[] | string> {
  try {
    process.kill(pid, "SIGUSR1");
  } catch (error) {
    return `could not signal it: ${(error as Error).message}`;
  }
  const port = await waitFor(() => inspectorPort(pid, ownPorts), FIND_PORT_MS);
  if (port === undefined) return "its inspector did not open";
  try {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
      webSocketDebuggerUrl?: string;
    }>;
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) return "its inspector listed no target";
    return await pauseAndRead(url);
  } catch (error) {
    return `its inspector did not answer: ${(error as Error).message}`;
  }
}

function pauseAndRead(url: string): Promise<StackFrame[] | string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    const scripts = new Map<string, string>();
    const finish = (result: StackFrame[] | string) => {
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => finish("it did not pause in time"), PAUSE_MS);
    socket.onerror = () => finish("its inspector connection failed");
    socket.onopen = () => {
      socket.send(JSON.stringify({ id: 1, method: "Debugger.enable" }));
      socket.send(JSON.stringify({ id: 2, method: "Debugger.pause" }));
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as { method?: string; params?: Record<string, unknown> };
      if (message.method === "Debugger.scriptParsed") {
        const params = message.params as { scriptId: string; url: string };
        scripts.set(params.scriptId, params.url);
      } else if (message.method === "Debugger.paused") {
        const frames = (message.params?.callFrames ?? []) as Array<{
          functionName: string;
          location: { scriptId: string; lineNumber: number; columnNumber: number };
        }>;
        finish(
          frames.map((frame) => ({
            function: frame.functionName || "(anonymous)",
            url: scripts.get(frame.location.scriptId) ?? "",
            line: frame.location.lineNumber + 1,
            column: frame.location.columnNumber + 1,
          })),
        );
      }
    };
  });
}

/** The TCP port `pid` listens on that is not one of drover's own listeners: its inspector. */
function inspectorPort(pid: number, ownPorts: ReadonlySet<number>): number | undefined {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const target = safeReadlink(`/proc/${pid}/fd/${fd}`);
      const inode = target?.match(/^socket:\[(\d+)\]$/)?.[1];
      if (inode) inodes.add(inode);
    }
  } catch {
    return undefined;
  }
  for (const table of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [, local, , state, , , , , , inode] = fields;
      // State 0A is LISTEN.
      if (state !== "0A" || !inode || !inodes.has(inode) || !local) continue;
      const port = Number.parseInt(local.split(":")[1] ?? "", 16);
      if (!ownPorts.has(port)) return port;
    }
  }
  return undefined;
}

function safeReadlink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Logs a hung child's stuck stack (or why it could not be read), before the master kills it. */
export async function logHungStack(
  pid: number,
  listeners: readonly OpenListener[],
  log: Logger,
): Promise<void> {
  log.error("a child's event loop is stuck: reading its JavaScript stack, then killing it");
  const ports = new Set(listeners.map((listener) => Number(listener.address.split(":").pop())));
  const stack = await captureStack(pid, ports);
  if (typeof stack === "string") {
    log.error(`hung child: no stack (${stack})`);
    return;
  }
  const lines = stack.map((frame) => `    at ${frame.function} (${frame.url}:${frame.line}:${frame.column})`);
  log.error({ stack }, `hung child's JavaScript stack:\n${lines.join("\n")}`);
}
