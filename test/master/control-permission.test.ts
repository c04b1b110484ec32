// A user who may not use the control socket is told so (chaos D11): `drover reload` and `drover stop`
// run as uid 65534 against root's socket fail with DROVER_ERR_CONTROL_PERMISSION and exit 1, not
// "no master runs" (exit 3), and stop does not claim a master it could not signal has stopped.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { startControlServer } from "../../src/master/control/control-server.ts";
import { acquirePidLock } from "../../src/master/run/pid-lock.ts";
import { assertRoot } from "../harness/preconditions.ts";
import { makeSharedDir } from "../harness/temp.ts";
import { CLI } from "../support/drover.ts";

const NOBODY = 65534;

/**
 * `drover <args>` as uid/gid 65534, to completion. The clone may sit in a folder only root may enter,
 * so the command keeps one capability, to read drover's own files (CAP_DAC_READ_SEARCH: read and
 * search only). Connecting to a socket needs write permission on it, and signalling root's process
 * needs CAP_KILL: neither is granted, so the refusals under test are those any other user meets.
 */
function droverAsNobody(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  const setpriv = [
    ...["--reuid", String(NOBODY), "--regid", String(NOBODY), "--clear-groups"],
    ...["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"],
  ];
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
  timeout: 120_000,
}, async (t) => {
  assertRoot("to run the client as another user");
  // A run directory others may enter and whose pid file they may read: only the socket's own mode
  // keeps them out.
  const dir = makeSharedDir("drover-test-control-");
  t.after(dir.remove);
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
