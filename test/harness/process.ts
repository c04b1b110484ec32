// Spawning real processes in tests: readiness by a line or a port, and a stop that proves the pid gone.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { groupMembers, isRunning, processStat } from "../../src/util/process-alive.ts";

export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Resolve once stdout or stderr shows this pattern, or once this TCP port accepts a connection. */
  readonly ready?: RegExp | { readonly port: number; readonly host?: string };
  readonly readyTimeoutMs?: number;
  /** Registers `stop()` so it runs however the test ends (pass `t.after` or `after`). */
  readonly cleanup?: (fn: () => Promise<void>) => void;
  /** Descriptors of this process that the new one inherits as 3, 4, ... (see inheritedFd). */
  readonly fds?: readonly number[];
}

/** The descriptor number a process spawned with `fds` has for `fds[index]`. */
export function inheritedFd(index: number): number {
  return 3 + index;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  waitForExit(timeoutMs?: number): Promise<ExitStatus>;
  /**
   * SIGTERM the process (not its group), SIGKILL it after `graceMs` if it has not exited, then prove
   * every member of its process group gone within `groupGoneMs`; rejects, after SIGKILLing them, if
   * some outlive it.
   */
  stop(graceMs?: number, groupGoneMs?: number): Promise<ExitStatus>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** How long stop() lets the process stop by itself: a master's graceful stop of its children. */
const DEFAULT_GRACE_MS = 10_000;
/** How long the rest of the group may take to go once the process exited (orphans notice and exit). */
const GROUP_GONE_MS = 10_000;

/** Runs a script on this Node (the pinned one), in its own process group. */
export function spawnNode(script: string, args: readonly string[] = [], options: SpawnOptions = {}) {
  return spawnProcess(process.execPath, [script, ...args], options);
}

/** Spawns `command` in a new process group so that stop() also reaches its descendants. */
export async function spawnProcess(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<SpawnedProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe", ...(options.fds ?? [])],
    detached: true,
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once("spawn", () => resolve(child.pid as number));
    child.once("error", reject);
  });

  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);

  const exited = new Promise<ExitStatus>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  let exitStatus: ExitStatus | undefined;
  void exited.then((status) => {
    exitStatus = status;
    for (const listener of listeners) listener();
  });

  const waitForOutput = (pattern: RegExp, timeoutMs = DEFAULT_TIMEOUT_MS) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output.match(pattern);
        if (match) return finish(() => resolve(match));
        const status = exitStatus;
        if (status) {
          finish(() =>
            reject(
              new Error(`process ${pid} exited (${describe(status)}) before printing ${pattern}\n${output}`),
            ),
          );
        }
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new Error(`no ${pattern} from process ${pid} within ${timeoutMs} ms\n${output}`)),
          ),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });

  const waitForExit = async (timeoutMs = DEFAULT_TIMEOUT_MS) => {
    const timeout = delay(timeoutMs, undefined, { ref: false }).then(() => {
      throw new Error(`process ${pid} still running after ${timeoutMs} ms\n${output}`);
    });
    return Promise.race([exited, timeout]);
  };

  let stopping: Promise<ExitStatus> | undefined;
  const stop = (graceMs = DEFAULT_GRACE_MS, groupGoneMs = GROUP_GONE_MS) => {
    stopping ??= (async () => {
      // Only the process itself is told to stop (a master then stops its children); the handle's
      // kill() does nothing once it has exited, so a reaped pid that now names another is never hit.
      child.kill("SIGTERM");
      // Unref'd: the child's own handle keeps this process up until it exits, and a timer left
      // pending must not hold a finished test file open for the rest of the grace.
      const grace = delay(graceMs, undefined, { ref: false }).then(() => undefined);
      const status = await Promise.race([exited, grace]);
      if (status === undefined) child.kill("SIGKILL");
      const final = status ?? (await exited);
      await proveGroupGone(pid, groupGoneMs);
      return final;
    })();
    return stopping;
  };
  const spawned: SpawnedProcess = { child, pid, output: () => output, waitForOutput, waitForExit, stop };
  options.cleanup?.(async () => {
    await stop();
  });
  try {
    if (options.ready instanceof RegExp) await waitForOutput(options.ready, options.readyTimeoutMs);
    else if (options.ready)
      await waitForPort(options.ready.port, options.ready.host, options.readyTimeoutMs, exited);
  } catch (error) {
    const leftover = await stop(0).then(
      () => undefined,
      (stopError: Error) => stopError,
    );
    if (leftover) throw new Error(`${(error as Error).message}\n${leftover.message}`, { cause: error });
    throw error;
  }
  return spawned;
}

/**
 * True while `pid` runs, or, for a negative pid, while any process of that group runs. A zombie counts
 * as gone: its parent (possibly init, which here reaps orphans only every few seconds) just has not
 * collected its status yet.
 */
export function isAlive(pid: number): boolean {
  return pid < 0 ? groupMembers(-pid).length > 0 : isRunning(pid);
}

export { processStat };

/** Polls until none of `pids` exists; throws naming the survivors after `timeoutMs`. */
export async function waitForPidsGone(
  pids: readonly number[],
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still alive after ${timeoutMs} ms: ${alive.join(", ")}`);
    await delay(20);
  }
}

/**
 * Stops a process group this process did not spawn (a daemon's): SIGTERM, SIGKILL after `graceMs` to
 * what is left, then proves every member gone.
 */
export async function stopGroup(pgid: number, graceMs = 3_000): Promise<void> {
  signalGroup(pgid, "SIGTERM");
  await waitForPidsGone([-pgid], graceMs).catch(() => signalGroup(pgid, "SIGKILL"));
  await waitForPidsGone([-pgid], 5_000);
}

/**
 * Waits up to `timeoutMs` for every member of process group `pgid` to be gone. A member still there is
 * a process the stopped one left behind, a bug: it is SIGKILLed and named in the error.
 */
export async function proveGroupGone(pgid: number, timeoutMs: number): Promise<void> {
  try {
    await waitForPidsGone([-pgid], timeoutMs);
  } catch {
    const left = groupMembers(pgid).map((member) => `${member} (${commandOf(member)})`);
    if (left.length === 0) return;
    signalGroup(pgid, "SIGKILL");
    await waitForPidsGone([-pgid], 5_000);
    throw new Error(
      `process group ${pgid} still had ${left.join(", ")} ${timeoutMs} ms after its leader was stopped: ` +
        "SIGKILLed them now; whatever started them must stop them",
    );
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "exited";
  }
}

/** Resolves once `port` accepts a TCP connection. */
export async function waitForPort(
  port: number,
  host = "127.0.0.1",
  timeoutMs = DEFAULT_TIMEOUT_MS,
  exited?: Promise<ExitStatus>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone: ExitStatus | undefined;
  void exited?.then((status) => {
    gone = status;
  });
  while (!(await canConnect(port, host))) {
    if (gone) throw new Error(`process exited (${describe(gone)}) before port ${port} answered`);
    if (Date.now() > deadline) throw new Error(`port ${host}:${port} did not answer within ${timeoutMs} ms`);
    await delay(25);
  }
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // No member left: nothing to signal.
  }
}

function describe(status: ExitStatus): string {
  return status.signal ? `signal ${status.signal}` : `code ${status.code}`;
}
