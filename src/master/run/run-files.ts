// The files a master keeps while it runs: its run directory (owner-only), the pid file and the control
// socket; and the name of its scoreboard memfd, which derives from the run directory so that
// `drover status` finds it among the master's descriptors with nothing else to go on.
import { createHash } from "node:crypto";
import { mkdirSync, realpathSync, rmdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { CONTROL_SOCKET_NAME, DISPATCH_SOCKET_NAME } from "../../config/run-dir.ts";

import { DroverError, ErrorCode } from "../../errors.ts";
import type { PidLock } from "./pid-lock.ts";

export interface RunFiles {
  readonly runDir: string;
  /** Names this master's shared-memory files apart from any other's: a hash of the run directory. */
  readonly id: string;
  readonly pidFile: string;
  readonly controlSocket: string;
  /** The embedded transport's socket: callers of the services connect here (see drover/client). */
  readonly dispatchSocket: string;
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
    controlSocket: join(runDir, CONTROL_SOCKET_NAME),
    dispatchSocket: join(runDir, DISPATCH_SOCKET_NAME),
    scoreboardName: scoreboardName(id),
  };
}

/**
 * Creates the run directory, readable by its owner alone; returns the outermost folder this call made
 * (the run directory itself, or a parent it had to make too), undefined when it was there, so that a
 * start that fails can take away what it made. Throws RUN_DIR, saying what to do, when it cannot.
 */
export function makeRunDir(runDir: string): string | undefined {
  try {
    return mkdirSync(runDir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    const advice =
      code === "EACCES" || code === "EPERM" || code === "EROFS"
        ? `the user drover runs as (uid ${process.getuid?.() ?? "?"}) may not create it there: create it beforehand for that user, or set runDir (--run-dir) to a folder it may write`
        : code === "ENOTDIR" || code === "EEXIST"
          ? "a file that is not a folder is in the way: remove it, or set runDir (--run-dir) elsewhere"
          : "set runDir (--run-dir) to a folder drover may create";
    throw new DroverError(
      ErrorCode.RUN_DIR,
      `cannot create the run directory ${runDir} (${code}): ${advice}.`,
      {
        cause,
      },
    );
  }
}

/**
 * Removes the sockets, then the pid file (releasing its lock); the run directory goes if empty, and
 * the parents up to `madeFrom` (those its start made) if they are empty then.
 */
export function removeRunFiles(files: RunFiles, lock: PidLock | undefined, madeFrom?: string): void {
  rmSync(files.controlSocket, { force: true });
  rmSync(files.dispatchSocket, { force: true });
  lock?.release();
  removeRunDir(files.runDir, madeFrom);
}

/** Removes the run directory if nothing is left in it, then each parent up to `madeFrom` likewise. */
export function removeRunDir(runDir: string, madeFrom = runDir): void {
  let folder = runDir;
  for (;;) {
    try {
      rmdirSync(folder);
    } catch {
      // Not empty (the operator keeps other files there) or already gone.
      return;
    }
    if (folder === madeFrom || !folder.startsWith(`${madeFrom}/`)) return;
    folder = dirname(folder);
  }
}
