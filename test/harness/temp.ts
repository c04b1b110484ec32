// Temporary folders for tests, under the run's root so the suite can check that nothing is left there.
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** The folder every test's files go under: set by scripts/run-tests.ts, else the system's temp folder. */
export const testRoot = process.env.DROVER_TEST_ROOT ?? tmpdir();

export interface TempDir {
  readonly path: string;
  remove(): void;
}

export function makeTempDir(prefix = "drover-test-"): TempDir {
  const path = mkdtempSync(join(testRoot, prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface SharedDir extends TempDir {
  /** Writes `name` in the folder, readable by everyone (0644). Returns its path. */
  write(name: string, content: string): string;
}

/**
 * A folder that another user (children that dropped to `nobody`) can read: mode 0755 in the system's
 * temp folder, outside the run's root and the clone, either of which may be owner-only (a clone in a
 * folder only root may enter). Owned by `owner` when given, so that user may write there too. Not
 * under the run's root: the test removes it.
 */
export function makeSharedDir(prefix: string, owner?: { uid: number; gid: number }): SharedDir {
  const base = tmpdir();
  for (let dir = base; ; dir = dirname(dir)) {
    assert.ok(
      (statSync(dir).mode & 0o001) !== 0,
      `${dir} is closed to other users, so a child running as another user cannot reach ${base}: ` +
        "point TMPDIR at a folder everyone may enter (/tmp)",
    );
    if (dir === dirname(dir)) break;
  }
  const path = mkdtempSync(join(base, prefix));
  chmodSync(path, 0o755);
  if (owner) chownSync(path, owner.uid, owner.gid);
  return {
    path,
    remove: () => rmSync(path, { recursive: true, force: true }),
    write: (name, content) => {
      const file = join(path, name);
      writeFileSync(file, content);
      chmodSync(file, 0o644);
      return file;
    },
  };
}

/** Tags file names with the test run, so a run's leftover check and sweep touch only its own files. */
export const runTag = (process.env.DROVER_TEST_RUN ?? "manual").slice(0, 8);

/** A /dev/shm name unique to this test and tagged with the run. */
export function testShmName(label: string): string {
  return `drover-test-${runTag}-${label}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A path to a memfd this process holds, for opening it again as an outsider would. */
export function ownFdPath(fd: number): string {
  return `/proc/${process.pid}/fd/${fd}`;
}
