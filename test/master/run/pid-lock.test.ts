// The pid file's flock: held means a master runs (its pid proven from /proc/locks), not held means
// the file is stale whatever pid it names (review D15, chaos D3).
import assert from "node:assert/strict";
import { readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ErrorCode } from "../../../src/errors.ts";
import { acquirePidLock, lockHolder, type PidLock } from "../../../src/master/run/pid-lock.ts";
import { throwsCode } from "../../harness/errors.ts";
import { isAlive, spawnNode } from "../../harness/process.ts";
import { makeTempDir, type TempDir } from "../../harness/temp.ts";
import { waitFor } from "../../harness/wait.ts";

const LOCKER = fileURLToPath(new URL("../fixtures/pid-locker.ts", import.meta.url));

let dir: TempDir;
let pidFile: string;
let locks: PidLock[] = [];

beforeEach(() => {
  dir = makeTempDir("drover-test-pid-lock-");
  pidFile = join(dir.path, "drover.pid");
});
afterEach(() => {
  for (const lock of locks) lock.release();
  locks = [];
  dir.remove();
});

function acquired(result: ReturnType<typeof acquirePidLock>): PidLock {
  assert.ok(!("heldBy" in result), `the lock is held by ${"heldBy" in result ? result.heldBy : ""}`);
  locks.push(result);
  return result;
}

describe("pid lock", { timeout: 30_000 }, () => {
  it("creates the file 0644 with our pid and holds it; a second taker is told who holds it", () => {
    assert.equal(lockHolder(pidFile), undefined, "no file: nobody holds it");
    const lock = acquired(acquirePidLock(pidFile));
    assert.equal(readFileSync(pidFile, "utf8"), `${process.pid}\n`);
    assert.equal(statSync(pidFile).mode & 0o777, 0o644);
    assert.equal(lockHolder(pidFile), process.pid);
    // Another open of the file is another lock owner, even in this process.
    assert.deepEqual(acquirePidLock(pidFile), { heldBy: process.pid });

    lock.release();
    lock.release();
    assert.throws(() => statSync(pidFile), { code: "ENOENT" }, "release removes the file");
    assert.equal(lockHolder(pidFile), undefined);
    acquired(acquirePidLock(pidFile));
  });

  it("takes over a stale pid file that names a live, unrelated process", async (t) => {
    const unrelated = await spawnNode("-e", ["setInterval(() => {}, 60000); console.log('up')"], {
      ready: /up/,
    });
    t.after(() => unrelated.stop());
    writeFileSync(pidFile, `${unrelated.pid}\n`);
    assert.equal(lockHolder(pidFile), undefined, "the file names a live pid, but nobody locks it");
    acquired(acquirePidLock(pidFile));
    assert.equal(readFileSync(pidFile, "utf8"), `${process.pid}\n`, "our pid replaces the stale one");
    assert.ok(isAlive(unrelated.pid), "the unrelated process is left alone");
  });

  it("is refused while another process holds it, naming that process; free once it dies", async () => {
    const holder = await spawnNode(LOCKER, [pidFile], { ready: /locked \d+/ });
    try {
      assert.equal(lockHolder(pidFile), holder.pid);
      assert.deepEqual(acquirePidLock(pidFile), { heldBy: holder.pid });
      assert.equal(readFileSync(pidFile, "utf8"), `${holder.pid}\n`, "a refused taker writes nothing");

      process.kill(holder.pid, "SIGKILL");
      await holder.waitForExit();
      await waitFor("the kernel to drop the dead holder's lock", () => lockHolder(pidFile) === undefined);
      assert.equal(readFileSync(pidFile, "utf8"), `${holder.pid}\n`, "the dead holder's file is stale");
      acquired(acquirePidLock(pidFile));
      assert.equal(lockHolder(pidFile), process.pid);
    } finally {
      await holder.stop();
    }
    assert.equal(isAlive(holder.pid), false);
  });

  it("refuses a missing run directory or a symbolic link with PID_FILE", () => {
    throwsCode(() => acquirePidLock(join(dir.path, "missing", "drover.pid")), ErrorCode.PID_FILE);
    const target = join(dir.path, "elsewhere");
    writeFileSync(target, "precious\n");
    symlinkSync(target, pidFile);
    const error = throwsCode(() => acquirePidLock(pidFile), ErrorCode.PID_FILE);
    assert.match(error.message, /ELOOP/);
    assert.equal(readFileSync(target, "utf8"), "precious\n", "the link's target is untouched");
  });
});
