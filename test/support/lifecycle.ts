// Helpers for the tests of the master's life: reading processes from /proc, bounded polls, requests that
// take a while (or go over a unix socket), raw lines on the control socket, and a second master started
// in a folder that already exists. Everything here is bounded in time and touches loopback only.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { get, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { runFiles } from "../../src/master/run/run-files.ts";
import type { Scoreboard } from "../../src/scoreboard/index.ts";
import { findShmOf } from "../../src/shm/index.ts";
import { openMasterScoreboard } from "../../src/status/locate.ts";
import { type StatusReport, statusReport } from "../../src/status/report.ts";
import { isAlive, processStat, type SpawnedProcess, spawnNode } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { CLI, type RunningDrover, startDrover } from "./drover.ts";

export interface HttpReply {
  readonly status: number;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

/** The scoreboard memfd's name of the master whose run directory is `runDir`. */
export function scoreboardName(runDir: string): string {
  return runFiles(runDir).scoreboardName;
}

/**
 * A path to the scoreboard of the master running in `runDir` (`/proc/<master>/fd/<n>`), for tests
 * that open it as an outsider would, or write into it as `dd conv=notrunc` would.
 */
export function scoreboardFile(runDir: string): string {
  const files = runFiles(runDir);
  const master = Number.parseInt(readFileSync(files.pidFile, "utf8"), 10);
  const path = findShmOf(master, files.scoreboardName);
  if (!path) throw new Error(`master ${master} holds no scoreboard ${files.scoreboardName}`);
  return path;
}

/** Maps the scoreboard of the master running in `runDir`, found as `drover status` finds it. Close it. */
export function openBoard(runDir: string): Scoreboard {
  const files = runFiles(runDir);
  return openMasterScoreboard(Number.parseInt(readFileSync(files.pidFile, "utf8"), 10), files.id);
}

/** Names of the memfds that `pid` holds whose name starts with `prefix` ([] once it is gone). */
export function memfdsOf(pid: number, prefix: string): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const fd of fds) {
    try {
      const name = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^\/memfd:(.*) \(deleted\)$/)?.[1];
      if (name?.startsWith(prefix)) names.push(name);
    } catch {
      // Closed meanwhile.
    }
  }
  return names;
}

/** Entries of /dev/shm whose name holds `part`: drover never makes any. */
export function devShmEntries(part: string): string[] {
  return readdirSync("/dev/shm").filter((name) => name.includes(part));
}

/** A GET on a fresh connection, over TCP on loopback or over a unix socket, that may take `timeoutMs`. */
export function request(
  target: { readonly port: number } | { readonly socketPath: string },
  path = "/",
  timeoutMs = 30_000,
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const where = "port" in target ? { host: "127.0.0.1", port: target.port } : target;
    const req = get({ ...where, path, agent: false, timeout: timeoutMs }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
      );
      response.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

/** Waits until the scoreboard shows at least `count` busy workers (a request is in flight). */
export function waitForBusy(drover: RunningDrover, count = 1): Promise<true> {
  return waitFor(`${count} busy worker(s)`, () => board(drover.runDir).totals.busyWorkers >= count);
}

/**
 * What `drover status --json` would print, read in this process straight from the scoreboard: quick
 * enough to poll for a state that lasts a moment (spawning the command can take a second under load).
 */
export function board(runDir: string): StatusReport {
  const scoreboard = openBoard(runDir);
  try {
    return statusReport(scoreboard.snapshot());
  } finally {
    scoreboard.close();
  }
}

/** Every pid on the system, with its /proc/<pid>/stat fields. */
function allProcesses(): { pid: number; state: string; parent: number }[] {
  const found = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = processStat(pid);
    if (stat) found.push({ pid, state: stat.state, parent: stat.parent });
  }
  return found;
}

/** Pids of the running (not zombie) children of `parent`. */
export function childrenOf(parent: number): number[] {
  return allProcesses()
    .filter((p) => p.parent === parent && p.state !== "Z" && p.state !== "X")
    .map((p) => p.pid)
    .filter((pid) => !isJanitor(pid));
}

/** The master's janitor (src/master/run/janitor.ts), which is its child too but no worker of the pool. */
export function janitorOf(parent: number): number | undefined {
  return allProcesses().find((p) => p.parent === parent && isJanitor(p.pid))?.pid;
}

function isJanitor(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("janitor-main");
  } catch {
    return false;
  }
}

/** Pids of the zombies whose parent is `parent`: children it has not reaped. */
export function zombiesOf(parent: number): number[] {
  return allProcesses()
    .filter((p) => p.parent === parent && p.state === "Z")
    .map((p) => p.pid);
}

/** The real uid of `pid`, from the Uid line of /proc/<pid>/status. */
export function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("Uid:"));
  if (!line) throw new Error(`no Uid line in /proc/${pid}/status`);
  return Number(line.split(/\s+/)[1]);
}

/** Whether a TCP connection to 127.0.0.1:`port` is refused (nothing listens). */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

/**
 * Writes `data` to the unix socket at `path` and resolves with the first line the other side answers
 * (parsed as JSON), or rejects after `timeoutMs`.
 */
export function controlExchange(path: string, data: string, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffered = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply on ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("error", (error) => {
      clearTimeout(timer);
      // The server may close after refusing a huge line while we still write: keep what it said.
      const newline = buffered.indexOf("\n");
      if (newline >= 0) resolve(JSON.parse(buffered.slice(0, newline)));
      else reject(error);
    });
    socket.once("connect", () => socket.write(data));
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(JSON.parse(buffered.slice(0, newline)));
    });
  });
}

/** Runs `drover start` (with `args`) in a folder that already holds a config; waits for it to serve. */
export function startMasterIn(cwd: string, args: readonly string[] = []): Promise<SpawnedProcess> {
  return spawnNode(CLI, ["start", ...args], { cwd, ready: /is served on/, readyTimeoutMs: 30_000 });
}

/**
 * Waits until the board shows exactly `children` children, every one of them of `generation`, ready (it
 * claimed its slot and accepts) and not draining; resolves with that status.
 */
export function waitForGeneration(
  drover: RunningDrover,
  generation: number,
  children: number,
  timeoutMs = 20_000,
): Promise<StatusReport> {
  return waitFor(
    `generation ${generation} with ${children} ready children`,
    () => {
      const status = board(drover.runDir);
      const settled =
        status.generation === generation &&
        status.children.length === children &&
        status.children.every(
          (c) => c.generation === generation && c.pid > 0 && c.state === "ready" && !c.quiescing,
        );
      return settled && status;
    },
    timeoutMs,
  );
}

/** The child pids the master's status shows (from shared memory). */
export async function statusPids(drover: RunningDrover): Promise<number[]> {
  return (await drover.status()).children.map((child) => child.pid);
}

/**
 * An app that answers "pid <its pid>", after `?sleep=<ms>` milliseconds when asked: a slow request to
 * have in flight while the master stops or restarts.
 */
export const SLEEPY_APP = `export default (req: any, res: any) => {
  const ms = Number(new URL(req.url, "http://localhost").searchParams.get("sleep") ?? 0);
  setTimeout(() => res.end("pid " + process.pid), ms);
};
`;

/**
 * Asserts that the master exited 0 and left nothing: no run directory (pid file, control socket), no
 * file named after its scoreboard (`scoreboard`, its memfd's name) in /dev/shm, none of `pids` (its
 * children) still running.
 */
export async function assertStoppedClean(
  drover: RunningDrover,
  leftovers: { readonly scoreboard: string; readonly pids: readonly number[] },
  timeoutMs = 20_000,
): Promise<void> {
  assert.deepEqual(await drover.proc.waitForExit(timeoutMs), { code: 0, signal: null }, drover.proc.output());
  assert.equal(existsSync(drover.runDir), false, `${drover.runDir} (pid file, control socket) is removed`);
  assert.deepEqual(devShmEntries(leftovers.scoreboard), [], "nothing in /dev/shm");
  for (const pid of leftovers.pids) assert.equal(isAlive(pid), false, `child ${pid} is gone`);
}

/**
 * A master serving SLEEPY_APP with two children of two worker slots each, stopped after the test, with
 * its scoreboard name and its children's pids as it started: how most lifecycle tests begin.
 */
export async function startSleepy(t: { after(fn: () => Promise<void>): void }) {
  const drover = await startDrover({ app: SLEEPY_APP, config: { startServers: 2, workersPerChild: 2 } });
  t.after(() => drover.stop());
  return { drover, scoreboard: scoreboardName(drover.runDir), pids: await statusPids(drover) };
}
