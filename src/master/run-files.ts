// The files a master keeps while it runs: its run directory (owner-only), the pid file and the control
// socket; and the name of its scoreboard memfd, which derives from the run directory so that
// `drover status` finds it among the master's descriptors with nothing else to go on.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isRunning } from "../util/process-alive.ts";

export interface RunFiles {
  readonly runDir: string;
  /** Names this master's shared-memory files apart from any other's: a hash of the run directory. */
  readonly id: string;
  readonly pidFile: string;
  readonly controlSocket: string;
  /** The scoreboard memfd's name (see scoreboardName). */
  readonly scoreboardName: string;
}

/** The name of the scoreboard memfd of the master whose run id is `runId`. */
export function scoreboardName(runId: string): string {
  return `drover-${runId}.scoreboard`;
}

/** Where a master whose run directory is `runDir` keeps its files (the directory is not created). */
export function runFiles(runDir: string): RunFiles {
  let real = runDir;
  try {
    real = realpathSync(runDir);
  } catch {
    // Not created yet: the path as given is what the master will create.
  }
  const id = createHash("sha256").update(real).digest("hex").slice(0, 16);
  return {
    runDir,
    id,
    pidFile: join(runDir, "drover.pid"),
    controlSocket: join(runDir, "control.sock"),
    scoreboardName: scoreboardName(id),
  };
}

/** Creates the run directory, readable by its owner alone. */
export function makeRunDir(runDir: string): void {
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
}

export function writePidFile(files: RunFiles): void {
  writeFileSync(files.pidFile, `${process.pid}\n`, { mode: 0o644 });
}

/** The pid in the pid file, if there is one and that process runs. */
export function runningMasterPid(files: RunFiles): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(files.pidFile, "utf8"), 10);
  } catch {
    return undefined;
  }
  return isRunning(pid) ? pid : undefined;
}

/** Removes the pid file and control socket; the run directory itself goes if it is left empty. */
export function removeRunFiles(files: RunFiles): void {
  rmSync(files.pidFile, { force: true });
  rmSync(files.controlSocket, { force: true });
  try {
    rmdirSync(files.runDir);
  } catch {
    // Not empty (the operator keeps other files there) or already gone.
  }
}
