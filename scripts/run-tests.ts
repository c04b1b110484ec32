// Runs the whole test suite (or the files given as arguments) on node:test, then fails the run if any
// test left a process, a shared-memory file or a socket file behind.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { droverShmFiles, judgeShmFiles, markedProcesses, socketFiles, sweep } from "./leftovers.ts";

const MARKER = "DROVER_TEST_RUN";
// Test files at once. Most of a test's time is spent waiting on real processes (start-up, drains,
// deadlines), so one more file than the 2 cores CI has keeps them busy without starving any.
const CONCURRENCY = 3;
const COMPILE_CACHE = fileURLToPath(new URL("../node_modules/.cache/drover-test-compile", import.meta.url));
const runId = randomUUID();
const root = mkdtempSync(join(tmpdir(), "drover-test-run-"));
const tapFile = join(root, "results.tap");
const shmBefore = new Set(droverShmFiles());
// A folder given on the command line means every test file below it.
const files = process.argv
  .slice(2)
  .map((arg) =>
    existsSync(arg) && statSync(arg).isDirectory() ? `${arg.replace(/\/$/, "")}/**/*.test.ts` : arg,
  );

const result = spawnSync(
  process.execPath,
  [
    "--test",
    `--test-concurrency=${process.env.DROVER_TEST_CONCURRENCY ?? CONCURRENCY}`,
    "--test-timeout=120000",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tapFile}`,
    ...(files.length > 0 ? files : ["test/**/*.test.ts"]),
  ],
  // NODE_TEST_CONTEXT is set inside a test; without removing it a nested run would skip its files.
  {
    stdio: "inherit",
    env: {
      ...process.env,
      NODE_TEST_CONTEXT: undefined,
      [MARKER]: runId,
      DROVER_TEST_ROOT: root,
      // Every test starts many Node processes (masters, children, drones, the CLI): each compiles
      // drover's TypeScript once per run instead of once per process (a third of the CPU of each).
      NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? COMPILE_CACHE,
    },
  },
);

// Give processes that were just told to stop a moment to finish before calling them leftovers.
const deadline = Date.now() + 2_000;
let processes = markedProcesses(MARKER, runId);
while (processes.length > 0 && Date.now() < deadline) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  processes = markedProcesses(MARKER, runId);
}
// Another job on the machine may make drover files in /dev/shm meanwhile: only this run's count.
const runTag = runId.slice(0, 8);
const shm = judgeShmFiles(
  droverShmFiles().filter((name) => !shmBefore.has(name)),
  MARKER,
  runId,
  runTag,
);
const sockets = socketFiles(root);
const leftovers = [
  ...processes.map((pid) => `process ${pid}: ${readCommand(pid)}`),
  ...shm.ours.map((name) => `shared-memory file /dev/shm/${name}`),
  ...sockets.map((path) => `socket file ${path}`),
];

const counts = readCounts(tapFile);
rmSync(root, { recursive: true, force: true });
// Only this run's tagged files are removed: an untagged one might be a real server's scoreboard.
sweep(
  processes,
  shm.ours.filter((name) => name.startsWith(`drover-test-${runTag}-`)),
);

if (leftovers.length > 0) {
  console.error(
    `\nThe test run left ${leftovers.length} thing(s) behind (processes and this run's files now removed):`,
  );
  for (const leftover of leftovers) console.error(`  - ${leftover}`);
} else {
  console.log("\nleftover check: no process, shared-memory file or socket file left behind");
}
if (shm.foreign.length > 0) {
  console.log(
    `note: not this run's, so not counted (made meanwhile by no process of it): /dev/shm/${shm.foreign.join(", /dev/shm/")}`,
  );
}
// Leftovers fail the run on a line of their own; the tests' line counts tests only.
console.log(`leftovers: ${leftovers.length}`);
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed`);
process.exitCode =
  result.status === 0 && counts.failed === 0 && leftovers.length === 0 && counts.passed > 0 ? 0 : 1;

function readCounts(path: string): { passed: number; failed: number } {
  if (!existsSync(path)) return { passed: 0, failed: 1 };
  const tap = readFileSync(path, "utf8");
  const count = (name: string) => Number(tap.match(new RegExp(`^# ${name} (\\d+)$`, "m"))?.[1] ?? 0);
  return { passed: count("pass"), failed: count("fail") + count("cancelled") };
}

function readCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "(exited)";
  }
}
