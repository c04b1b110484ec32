// Commands that act on a running master: through its control socket, or (status) straight from the
// scoreboard in shared memory.
import { existsSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { DroverError, ErrorCode, isDroverError } from "../errors.ts";
import { sendControl } from "../master/control-client.ts";
import { runFiles, runningMasterPid } from "../master/run-files.ts";
import { Scoreboard } from "../scoreboard/index.ts";
import { formatStatus, statusReport } from "../status/report.ts";
import { isRunning } from "../util/process-alive.ts";
import { EXIT_FAILED, EXIT_NOT_RUNNING, EXIT_OK } from "./exit-codes.ts";

const HOW_TO_START = "start one with `drover start`, or pass the --run-dir of the one you mean";

// Reload and restart wait for the new generation to be ready; a stop for the master to finish.
const COMMAND_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;

export async function controlCommand(runDir: string, command: "reload" | "restart"): Promise<number> {
  const reply = await sendControl(runFiles(runDir).controlSocket, { command }, COMMAND_TIMEOUT_MS);
  if (!reply.ok) {
    console.error(`drover ${command}: ${reply.error.message} [${reply.error.code}]`);
    return EXIT_FAILED;
  }
  for (const warning of (reply.warnings as string[] | undefined) ?? []) console.log(`warning: ${warning}`);
  console.log(`drover ${command}: generation ${String(reply.generation)} is serving`);
  return EXIT_OK;
}

/**
 * Asks the master to stop and waits for it to exit. A master that does not answer, or does not exit in
 * time, gets SIGTERM, then SIGKILL (its children exit on their own when it is gone).
 */
export async function stopCommand(
  runDir: string,
  options: { graceful: boolean; timeoutMs?: number },
): Promise<number> {
  const files = runFiles(runDir);
  const pid = runningMasterPid(files);
  if (pid === undefined) {
    console.error(`drover stop: no master runs in ${runDir}: ${HOW_TO_START}`);
    return EXIT_NOT_RUNNING;
  }
  let patience = STOP_GRACE_MS;
  try {
    const reply = await sendControl(files.controlSocket, { command: "stop", ...options }, STOP_GRACE_MS);
    if (!reply.ok) throw new Error(reply.error.message);
    patience += options.graceful ? (options.timeoutMs ?? COMMAND_TIMEOUT_MS) : 0;
    if (await exited(pid, patience)) return stopped(pid);
    console.error(`drover stop: master ${pid} is still running after ${patience / 1000} s; sending SIGTERM`);
  } catch (error) {
    // Signals would be refused too (EPERM), and a refused signal must not read as "stopped".
    if (isDroverError(error, ErrorCode.CONTROL_PERMISSION)) throw error;
    console.error(`drover stop: the control socket failed (${(error as Error).message}); sending SIGTERM`);
  }
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return stopped(pid);
    }
    if (await exited(pid, STOP_GRACE_MS)) return stopped(pid);
  }
  console.error(`drover stop: master ${pid} survived SIGKILL`);
  return EXIT_FAILED;
}

export function statusCommand(runDir: string, json: boolean): number {
  const path = runFiles(runDir).scoreboard;
  if (!existsSync(path)) {
    throw new DroverError(
      ErrorCode.NOT_RUNNING,
      `no drover master runs with run directory ${runDir} (no scoreboard at ${path}): ${HOW_TO_START}`,
    );
  }
  const scoreboard = Scoreboard.open(path);
  try {
    const snapshot = scoreboard.snapshot();
    if (!isRunning(snapshot.masterPid)) {
      throw new DroverError(
        ErrorCode.NOT_RUNNING,
        `the master (pid ${snapshot.masterPid}) that ran with ${runDir} is gone; its scoreboard is stale: ${HOW_TO_START}`,
      );
    }
    const report = statusReport(snapshot);
    console.log(json ? JSON.stringify(report, null, 2) : formatStatus(report));
  } finally {
    scoreboard.close();
  }
  return EXIT_OK;
}

function stopped(pid: number): number {
  console.log(`drover stop: master ${pid} stopped`);
  return EXIT_OK;
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await delay(50);
  }
  return false;
}
