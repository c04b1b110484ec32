// How `drover status` reaches a running master's scoreboard: a memfd exists in no directory, so it is
// reopened through the master's own descriptors, /proc/<pid>/fd/<n>. Only the master's user, or root,
// may do that; anyone else is told so, not that no master runs.

import { DroverError, ErrorCode, isDroverError } from "../errors.ts";
import { scoreboardName } from "../master/run/run-files.ts";
import { Scoreboard } from "../scoreboard/index.ts";
import { findShmOf } from "../shm/index.ts";
import { isRunning } from "../util/process-alive.ts";

/**
 * Maps the scoreboard of the master `masterPid` whose run id is `runId` (see runFiles). Throws
 * NOT_RUNNING when that process is gone or holds no such scoreboard (a stale pid file naming some
 * other process), SHM_PERMISSION when this user may not look at its descriptors.
 */
export function openMasterScoreboard(masterPid: number, runId: string): Scoreboard {
  const name = scoreboardName(runId);
  const gone = (why: string, cause?: unknown) =>
    new DroverError(ErrorCode.NOT_RUNNING, `no drover master runs as pid ${masterPid}: ${why}.`, { cause });
  if (!isRunning(masterPid)) throw gone("there is no such process (the pid file is stale)");
  const path = findShmOf(masterPid, name);
  if (path === undefined) {
    throw gone(
      isRunning(masterPid)
        ? `that process holds no scoreboard named ${name}: it is not the master of this run directory (the pid file is stale), or it is still starting`
        : "it has just exited",
    );
  }
  try {
    return Scoreboard.open(path);
  } catch (error) {
    // It exited, or closed the scoreboard (stopping), between the search and the open.
    if (isDroverError(error, ErrorCode.SHM_NOT_FOUND)) throw gone("it has just stopped", error);
    throw error;
  }
}
