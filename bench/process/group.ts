// Starts a command in a process group of its own and stops the whole group: SIGTERM, a grace period,
// SIGKILL, then a bounded wait that proves every member is gone.
import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import { groupMembers, isRunning } from "../../src/util/process-alive.ts";

export interface ProcessGroup {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything the leader wrote to stdout and stderr so far (the tail, at most 64 KiB). */
  output(): string;
  /** Resolves when the leader exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops the group; safe to call more than once. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;

/** Spawns `command args` as the leader of a new process group, stdout and stderr captured. */
export async function spawnGroup(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ProcessGroup> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once("spawn", () => resolve(child.pid as number));
    child.once("error", reject);
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 2_000) => {
    stopping ??= stopGroup(pid, graceMs);
    return stopping;
  };
  return { pid, child, output: () => output, exited, stop };
}

/** SIGTERM the group `pgid`, SIGKILL what is left after `graceMs`, and throw if anything survives. */
export async function stopGroup(pgid: number, graceMs = 2_000): Promise<void> {
  signal(pgid, "SIGTERM");
  if (!(await waitGone(() => groupMembers(pgid), graceMs))) signal(pgid, "SIGKILL");
  if (!(await waitGone(() => groupMembers(pgid), 5_000))) {
    throw new Error(`process group ${pgid} still has ${groupMembers(pgid).join(", ")} after SIGKILL`);
  }
}

/** Polls until none of `pids` runs; false if some still do after `timeoutMs`. */
export async function waitPidsGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  return waitGone(() => pids.filter(isRunning), timeoutMs);
}

async function waitGone(alive: () => number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive().length > 0) {
    if (Date.now() > deadline) return false;
    await delay(25);
  }
  return true;
}

function signal(pgid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pgid, name);
  } catch {
    // The group is already empty.
  }
}
