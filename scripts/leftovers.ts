// What a test run may leave behind: processes that carry the run's marker, shared-memory files and
// socket files. The suite fails if any of this run's remain. drover's own shared memory is memfds, which
// exist in no directory and go with their last holder; the /dev/shm check catches anything that would
// appear there, and blames this run only for what is provably its own (judgeShmFiles).
import { lstatSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

export const SHM_DIR = "/dev/shm";

/** Pids of live processes whose environment holds `MARKER=value` (children inherit it). */
export function markedProcesses(marker: string, value: string): number[] {
  const needle = `${marker}=${value}`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "latin1");
      if (!environ.split("\0").includes(needle)) continue;
      // A zombie has an empty environ, so anything found here is really running.
      found.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/**
 * The pid that created a drover shared-memory file (from its native header: magic "DROVERSM", the
 * creator pid at byte 20), or undefined for a file that is not one.
 */
export function shmCreator(name: string): number | undefined {
  try {
    const header = readFileSync(join(SHM_DIR, name)).subarray(0, 24);
    if (header.length < 24 || header.toString("latin1", 0, 8) !== "DROVERSM") return undefined;
    return header.readUInt32LE(20);
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs and carries `MARKER=value` in its environment. */
export function isMarked(pid: number, marker: string, value: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(`${marker}=${value}`);
  } catch {
    return false;
  }
}

export interface ShmVerdict {
  /** This run's: named with its tag, or made by a process of it that still runs. */
  readonly ours: string[];
  /** Made meanwhile by someone else (another job on the machine), or by a creator now gone. */
  readonly foreign: string[];
}

/**
 * Sorts the drover files that appeared in /dev/shm during a run. drover itself makes none there (its
 * shared memory is memfds), so one is this run's fault only if its name carries the run's tag or its
 * creator (from the header) runs and carries the run's marker; a dead creator cannot be told from
 * another job's, so such a file is only reported.
 */
export function judgeShmFiles(
  names: readonly string[],
  marker: string,
  runId: string,
  runTag: string,
): ShmVerdict {
  const ours: string[] = [];
  const foreign: string[] = [];
  for (const name of names) {
    const creator = shmCreator(name);
    const tagged = name.startsWith(`drover-test-${runTag}-`);
    if (tagged || (creator !== undefined && isMarked(creator, marker, runId))) ours.push(name);
    else foreign.push(name);
  }
  return { ours, foreign };
}

/** drover's files in /dev/shm. */
export function droverShmFiles(): string[] {
  try {
    return readdirSync(SHM_DIR).filter((name) => name.includes("drover"));
  } catch {
    return [];
  }
}

/** Every socket file below `dir`. */
export function socketFiles(dir: string): string[] {
  const sockets: string[] = [];
  const walk = (folder: string) => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(folder, name);
      const stat = lstatSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory()) walk(path);
      else if (stat?.isSocket()) sockets.push(path);
    }
  };
  walk(dir);
  return sockets;
}

/** Kills leftover pids and removes leftover files, so one bad run does not spoil the next. */
export function sweep(pids: readonly number[], shmNames: readonly string[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  for (const name of shmNames) rmSync(join(SHM_DIR, name), { force: true });
}
