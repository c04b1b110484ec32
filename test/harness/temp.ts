// Temporary folders for tests, under the run's root so the suite can check that nothing is left there.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
