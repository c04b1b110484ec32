// The pid file, locked with flock(2) for the master's whole life (review D15, chaos D3). The kernel
// drops the lock when the master dies, however it dies, so a pid file that nobody locks is stale
// whatever pid it names (after a crash and a reboot that pid may be any process), and the holder of
// the lock is the master, proven by /proc/locks rather than trusted from the file's text.
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { DroverError, ErrorCode } from "../../errors.ts";
import { flock } from "../../native/files.ts";

export interface PidLock {
  readonly pidFile: string;
  /** The locked descriptor (close-on-exec): kept open for as long as the lock is held. */
  readonly fd: number;
  /**
   * Removes the pid file (if it is still the one we lock) and releases the lock. Idempotent. Without
   * it, the process's exit releases the lock and leaves a stale file, which the next master takes over.
   */
  release(): void;
}

// A master that stops unlinks the file: a starter that locked the unlinked file tries again.
const ATTEMPTS = 5;

/**
 * Opens (or creates, 0644) `pidFile`, takes an exclusive flock without waiting, and writes this
 * process's pid into it. When another process holds the lock: `{ heldBy }`, its pid from /proc/locks
 * (undefined if it let go meanwhile: try again). Throws PID_FILE when the file cannot be opened.
 */
export function acquirePidLock(pidFile: string): PidLock | { heldBy: number | undefined } {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const fd = openPidFile(pidFile);
    let kept = false;
    try {
      if (!flock(fd, true, false)) return { heldBy: lockHolder(pidFile) };
      // Locked, but maybe a file the stopping master has just unlinked (or another replaced).
      if (!sameFile(fd, pidFile)) continue;
      ftruncateSync(fd, 0);
      writeSync(fd, `${process.pid}\n`, 0);
      kept = true;
      return lockOf(pidFile, fd);
    } catch (cause) {
      throw pidFileError(pidFile, cause);
    } finally {
      if (!kept) closeSync(fd);
    }
  }
  throw new DroverError(
    ErrorCode.PID_FILE,
    `${pidFile} kept being replaced while drover tried to lock it: is another program removing it? Stop it, or use another run directory.`,
  );
}

/**
 * Takes the pid file over from the master that locks it now (an upgrade): a new file beside it is
 * locked and written, then renamed over it, so that `pidFile` names a locked file at every moment, the
 * old master's until the rename and this one's after. The old master's release then finds the name
 * no longer its file and leaves it. Throws PID_FILE when it cannot.
 */
export function takeOverPidLock(pidFile: string): PidLock {
  const side = `${pidFile}.${process.pid}`;
  const fd = openPidFile(side);
  try {
    if (!flock(fd, true, false)) throw new Error(`${side} is locked by another process`);
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
    renameSync(side, pidFile);
    return lockOf(pidFile, fd);
  } catch (cause) {
    closeSync(fd);
    rmSync(side, { force: true });
    throw pidFileError(pidFile, cause);
  }
}

/**
 * The pid of the process that holds the flock on `pidFile` now (read from /proc/locks, matched by the
 * file's device and inode), or undefined when nobody holds it or there is no such file.
 */
export function lockHolder(pidFile: string): number | undefined {
  let file: { dev: bigint; ino: bigint };
  try {
    file = statSync(pidFile, { bigint: true });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw pidFileError(pidFile, cause);
  }
  // proc(5): "<id>: FLOCK ADVISORY WRITE <pid> <major>:<minor>:<inode> <start> <end>", the device
  // numbers in hex; a waiter's line has "->" after the id, and holds nothing.
  const device = `${hex(major(file.dev))}:${hex(minor(file.dev))}:${file.ino}`;
  for (const line of readFileSync("/proc/locks", "utf8").split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== "FLOCK" || fields[5] !== device) continue;
    const pid = Number(fields[4]);
    if (Number.isInteger(pid) && pid > 0) return pid;
  }
  return undefined;
}

function openPidFile(pidFile: string): number {
  try {
    // O_NOFOLLOW: a symbolic link planted as the pid file is refused (ELOOP), never followed.
    const fd = openSync(pidFile, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
    try {
      fchmodSync(fd, 0o644); // the umask applied at creation; anyone may read who the master is
    } catch {
      // Someone else's file that we may write but not chmod: it still works as a lock.
    }
    return fd;
  } catch (cause) {
    throw pidFileError(pidFile, cause);
  }
}

function lockOf(pidFile: string, fd: number): PidLock {
  let held = true;
  return {
    pidFile,
    fd,
    release: () => {
      if (!held) return;
      held = false;
      // Unlink while still locked: whoever opens the name afterwards gets a new file.
      if (sameFile(fd, pidFile)) unlinkSync(pidFile);
      closeSync(fd);
    },
  };
}

/** Whether the open descriptor `fd` is the file `path` names now (false when the name is gone). */
export function sameFile(fd: number, path: string): boolean {
  try {
    const open = fstatSync(fd, { bigint: true });
    const named = statSync(path, { bigint: true });
    return open.dev === named.dev && open.ino === named.ino;
  } catch {
    return false;
  }
}

// glibc's gnu_dev_major/minor: the 12-bit major and 20-bit minor spread over a 64-bit dev_t.
function major(dev: bigint): bigint {
  return ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
}

function minor(dev: bigint): bigint {
  return (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
}

function hex(value: bigint): string {
  return value.toString(16).padStart(2, "0");
}

function pidFileError(pidFile: string, cause: unknown): DroverError {
  if (cause instanceof DroverError) return cause;
  const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
  return new DroverError(
    ErrorCode.PID_FILE,
    `cannot lock the pid file ${pidFile} (${code}): check that its run directory exists and belongs to the user drover runs as, and that the pid file is a plain file.`,
    { cause },
  );
}
