// The janitor's entry (see janitor.ts). It reads plans from standard input, one JSON line each, until
// the pipe ends; then, if no master holds the pid file's lock, it removes what the last plan names.
import { closeSync, constants, lstatSync, openSync, rmdirSync, unlinkSync } from "node:fs";
import { flock } from "../../native/files.ts";
import type { JanitorPlan } from "./janitor.ts";
import { sameFile } from "./pid-lock.ts";

// Signals for the process group (a terminal's Ctrl-C, systemd's stop) are the master's business: the
// janitor stays until the pipe tells it the master is gone.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"] as const) {
  process.on(signal, () => {});
}

let plan: JanitorPlan | undefined;
let buffered = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  buffered += chunk;
  for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    try {
      plan = JSON.parse(line) as JanitorPlan;
    } catch {
      // Only the master writes here; a broken line changes nothing.
    }
  }
});
process.stdin.on("end", () => {
  if (plan) cleanUp(plan);
  process.exit(0);
});

function cleanUp({ pidFile, runDir, files }: JanitorPlan): void {
  let fd: number;
  try {
    fd = openSync(pidFile, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return; // The master removed its pid file: it cleaned up itself.
  }
  try {
    // A new master in this run directory holds the lock: everything here is its own now.
    if (!flock(fd, true, false) || !sameFile(fd, pidFile)) return;
    for (const file of files) {
      const stat = lstatSync(file.path, { bigint: true, throwIfNoEntry: false });
      if (stat && String(stat.dev) === file.dev && String(stat.ino) === file.ino) unlinkSync(file.path);
    }
    // Unlinked while locked: a master starting now opens a new file and retries (see pid-lock.ts).
    unlinkSync(pidFile);
  } catch {
    // Whatever could not be removed stays; the next master in this directory replaces it.
  } finally {
    closeSync(fd);
  }
  try {
    rmdirSync(runDir);
  } catch {
    // Not empty (the operator keeps other files there) or already gone.
  }
}
