// Commands that act on a running master: through its control socket, or (status) straight from the
// scoreboard in shared memory. Which process is the master is proven by the lock on its pid file
// (/proc/locks), never taken from the file's text: a stale pid file names whoever has that pid now.
import { setTimeout as delay } from "node:timers/promises";
import type { ResolvedConfig } from "../config/types/resolved-config.ts";
import { DroverError, ErrorCode, isDroverError } from "../errors.ts";
import { sendControl } from "../master/control/control-client.ts";
import { lockHolder } from "../master/run/pid-lock.ts";
import { runFiles } from "../master/run/run-files.ts";
import type { Scoreboard } from "../scoreboard/index.ts";
import { formatHealth, probeHealth } from "../status/health-probe.ts";
import { openMasterScoreboard } from "../status/locate.ts";
import { cpuSeconds } from "../status/process-cpu.ts";
import { formatStatus, statusReport } from "../status/report.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";

const HOW_TO_START =
  "start one with `drover start`, or pass the same --config (or the --run-dir) of the one you mean";

// How long the master has to answer a stop, and to exit beyond the time its reply says it needs.
const STOP_GRACE_MS = 10_000;
// How long a stop takes by an older master's reply, which does not say.
const STOP_UNSAID_MS = 120_000;

/**
 * Reload or restart, waiting for the new generation to serve (or fail): as long as the master's own
 * deadlines (hookTimeout, childStartTimeout) take, or at most `timeoutMs`.
 */
export async function controlCommand(
  runDir: string,
  command: "reload" | "restart",
  timeoutMs?: number,
): Promise<number> {
  masterOf(runDir);
  const reply = await sendControl(runFiles(runDir).controlSocket, { command }, timeoutMs);
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
 * time, is signalled (SIGQUIT, then SIGKILL), each time only if it still holds its pid file's lock.
 */
export async function stopCommand(
  runDir: string,
  options: { graceful: boolean; timeoutMs?: number },
): Promise<number> {
  const files = runFiles(runDir);
  const pid = masterOf(runDir);
  let patience = STOP_GRACE_MS;
  try {
    const reply = await sendControl(files.controlSocket, { command: "stop", ...options }, STOP_GRACE_MS);
    if (!reply.ok) throw new Error(reply.error.message);
    patience += typeof reply.withinMs === "number" ? reply.withinMs : STOP_UNSAID_MS;
    if (await released(files.pidFile, pid, patience)) return stopped(pid);
    console.error(`drover stop: master ${pid} is still running after ${patience / 1000} s; stopping it`);
  } catch (error) {
    // Signals would be refused too (EPERM), and a refused signal must not read as "stopped".
    if (isDroverError(error, ErrorCode.CONTROL_PERMISSION)) throw error;
    console.error(`drover stop: the control socket failed (${(error as Error).message}); stopping it`);
  }
  for (const signal of ["SIGQUIT", "SIGKILL"] as const) {
    if (lockHolder(files.pidFile) !== pid) return stopped(pid);
    try {
      process.kill(pid, signal);
    } catch {
      return stopped(pid);
    }
    if (await released(files.pidFile, pid, STOP_GRACE_MS)) return stopped(pid);
  }
  console.error(`drover stop: master ${pid} survived SIGKILL`);
  return EXIT_FAILED;
}

/**
 * The scoreboard of the master that runs in `runDir`, mapped, and its pid: for `status` and `top`,
 * which read it without asking the master anything. Throws NOT_RUNNING when no master runs there.
 */
export function openScoreboardOf(runDir: string): { pid: number; scoreboard: Scoreboard } {
  const files = runFiles(runDir);
  const pid = masterOf(runDir);
  try {
    return { pid, scoreboard: openMasterScoreboard(pid, files.id) };
  } catch (error) {
    if (!isDroverError(error, ErrorCode.NOT_RUNNING)) throw error;
    const message = `${error.message} Run directory ${runDir}: ${HOW_TO_START}`;
    throw new DroverError(ErrorCode.NOT_RUNNING, message, { cause: error });
  }
}

/** The scoreboard's report, and what the health endpoints of `health` (config.health) answer. */
export async function statusCommand(
  runDir: string,
  json: boolean,
  health?: ResolvedConfig["health"],
): Promise<number> {
  const { scoreboard } = openScoreboardOf(runDir);
  let report: ReturnType<typeof statusReport>;
  try {
    report = statusReport(scoreboard.snapshot(), Date.now(), cpuSeconds);
  } finally {
    scoreboard.close();
  }
  const probed = await probeHealth(health);
  if (json) console.log(JSON.stringify({ ...report, health: probed }, null, 2));
  else {
    const healthLines = formatHealth(probed);
    console.log([formatStatus(report), ...(healthLines.length > 0 ? ["", ...healthLines] : [])].join("\n"));
  }
  return EXIT_OK;
}

/**
 * The pid of the master that runs in `runDir`: the holder of its pid file's lock. Throws NOT_RUNNING
 * when there is none (a stale pid file included), PID_FILE when this user may not look.
 */
export function masterOf(runDir: string): number {
  const { pidFile } = runFiles(runDir);
  let pid: number | undefined;
  try {
    pid = lockHolder(pidFile);
  } catch (error) {
    const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    if (code !== "EACCES" && code !== "EPERM") throw error;
    throw new DroverError(
      ErrorCode.PID_FILE,
      `permission denied reading ${pidFile}: run this as the user the drover master runs as, or as root`,
      { cause: error },
    );
  }
  if (pid === undefined) {
    throw new DroverError(ErrorCode.NOT_RUNNING, `no drover master runs in ${runDir}: ${HOW_TO_START}`);
  }
  return pid;
}

function stopped(pid: number): number {
  console.log(`drover stop: master ${pid} stopped`);
  return EXIT_OK;
}

/** Waits until `pid` no longer holds the pid file's lock (it exited, or is exiting and let go). */
async function released(pidFile: string, pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (lockHolder(pidFile) !== pid) return true;
    await delay(50);
  }
  return false;
}
