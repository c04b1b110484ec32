// A user who may not use the control socket is told so (chaos D11): `drover reload` and `drover stop`
// run as uid 65534 against root's socket fail with DROVER_ERR_CONTROL_PERMISSION and exit 1, not
// "no master runs" (exit 3), and stop does not claim a master it could not signal has stopped.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { startControlServer } from "../../src/master/control-server.ts";
import { acquirePidLock } from "../../src/master/pid-lock.ts";
import { makeTempDir, testRoot } from "../harness/temp.ts";
import { CLI } from "../support/drover.ts";

const NOBODY = 65534;
const skip = process.getuid?.() !== 0 ? "needs root, to run the client as another user" : undefined;

/** `drover <args>` as uid/gid 65534, to completion. */
function droverAsNobody(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  const setpriv = ["--reuid", String(NOBODY), "--regid", String(NOBODY), "--clear-groups"];
  return new Promise((resolve) => {
    execFile(
      "setpriv",
      [...setpriv, process.execPath, CLI, ...args],
      { cwd: "/", encoding: "utf8", timeout: 60_000 },
      (error, _stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ status, stderr });
      },
    );
  });
}

it("reload and stop by another user get DROVER_ERR_CONTROL_PERMISSION, exit 1", {
  skip,
  timeout: 120_000,
}, async (t) => {
  // A run directory others may enter and whose pid file they may read: only the socket's own mode
  // keeps them out. The run's root is owner-only, so others get to cross it (not to list it).
  if (process.env.DROVER_TEST_ROOT) chmodSync(testRoot, statSync(testRoot).mode | 0o011);
  const dir = makeTempDir("drover-test-control-");
  t.after(dir.remove);
  chmodSync(dir.path, 0o755);
  const runDir = join(dir.path, "run");
  mkdirSync(runDir, { mode: 0o755 });
  // The "master" is this process: it holds the pid file's lock, and uid 65534 may not signal it.
  const lock = acquirePidLock(join(runDir, "drover.pid"));
  assert.ok(!("heldBy" in lock));
  t.after(() => lock.release());
  let requests = 0;
  const server = await startControlServer(join(runDir, "control.sock"), async () => {
    requests += 1;
    return { stopping: true, pid: process.pid };
  });
  t.after(() => server.close());

  for (const command of [["reload"], ["stop"]]) {
    const result = await droverAsNobody([...command, "--run-dir", runDir]);
    assert.equal(result.status, 1, `${command}: ${result.stderr}`);
    assert.match(result.stderr, /permission denied.*run as the user that started the master/, command[0]);
    assert.match(result.stderr, /\[DROVER_ERR_CONTROL_PERMISSION\]/, command[0]);
    assert.doesNotMatch(result.stderr, /stopped|no master runs/, command[0]);
  }
  assert.equal(requests, 0, "nothing got through");
});
