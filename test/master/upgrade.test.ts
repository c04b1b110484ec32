// `drover upgrade`: a new master from the installed code takes the listening sockets over and the old
// one drains and exits, under steady load with no failed request; the pid file, control socket and
// `drover status` follow the new master; a new master that cannot start leaves the old one serving;
// SIGURG does the same as the command. One run directory through all of it, every pid proven gone.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { it } from "node:test";
import { sendControl } from "../../src/master/control/control-client.ts";
import { lockHolder } from "../../src/master/run/pid-lock.ts";
import type { StatusReport } from "../../src/status/report.ts";
import { isRunning } from "../../src/util/process-alive.ts";
import { freePort } from "../harness/ports.ts";
import { makeTempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";
import { httpGet, type RunningDrover } from "../support/drover.ts";
import { describeFailures, startLoad } from "../support/load.ts";
import { FIXTURE_APP, servedBy, startFixture } from "../support/pool.ts";

const CONFIG = { startServers: 2, workersPerChild: 4, minSpareWorkers: 1, serverLimit: 8 };

// Requests on a fresh connection each, one after another, until stopped: the failures.
function freshConnections(port: number) {
  let running = true;
  const failures: string[] = [];
  let ok = 0;
  const loop = (async () => {
    while (running) {
      try {
        const reply = await httpGet(port);
        if (reply.status === 200) ok++;
        else failures.push(`status ${reply.status}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ok, failures };
    },
  };
}

// A GET on the unix socket listener: its status.
function unixGet(socketPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ socketPath, path: "/", agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    }).on("error", reject);
  });
}

// The master that holds the pid file's lock, and the children `drover status` shows for it.
async function currentMaster(drover: RunningDrover) {
  const status = await drover.status();
  return { pid: lockHolder(join(drover.runDir, "drover.pid")), status };
}

it("upgrades the master under load with no failed request, falls back when the new one fails, and leaves nothing", {
  timeout: 150_000,
}, async (t) => {
  // A TCP listener for the load, and a unix one, whose socket file must outlive the old master.
  const port = await freePort();
  const sockets = makeTempDir("drover-test-upgrade-");
  const socket = join(sockets.path, "app.sock");
  const config = { ...CONFIG, app: FIXTURE_APP, listen: [`127.0.0.1:${port}`, socket] };
  const drover = await startFixture(config);
  const seen = new Set<number>([drover.proc.pid]);
  t.after(async () => {
    // The master serving now is not this test's child: stopped through its run directory.
    const pid = lockHolder(join(drover.runDir, "drover.pid"));
    if (pid !== undefined && pid !== drover.proc.pid) {
      process.kill(pid, "SIGTERM");
      await waitFor(`master ${pid} gone`, () => !isRunning(pid), 30_000);
    }
    // Proves the whole process group gone: every master was started in it, and every child.
    await drover.stop();
    assert.ok(!existsSync(socket), "the last master removed the unix socket file");
    sockets.remove();
    const left = [...seen].filter(isRunning);
    assert.deepEqual(left, [], `still running: ${left.join(", ")}`);
  });
  const first = await currentMaster(drover);
  assert.equal(first.pid, drover.proc.pid);
  const oldChildren = new Set(first.status.children.map((child) => child.pid));
  for (const pid of oldChildren) seen.add(pid);

  // 1. Under load: keep-alive clients and fresh connections; `drover upgrade` fails none of them.
  const load = startLoad(port, { clients: 3 });
  const fresh = freshConnections(port);
  let upgraded: Awaited<ReturnType<RunningDrover["cli"]>>;
  let report: Awaited<ReturnType<typeof load.stop>>;
  let freshReport: Awaited<ReturnType<typeof fresh.stop>>;
  try {
    await waitFor("replies before the upgrade", () => load.ok >= 20);
    load.setPhase("during the upgrade");
    upgraded = await drover.cli("upgrade");
    load.setPhase("after the upgrade");
    // The old master drains and exits with 0.
    assert.deepEqual(await drover.proc.waitForExit(30_000), { code: 0, signal: null });
    const served = load.ok;
    await waitFor("replies after the old master left", () => load.ok >= served + 20);
  } finally {
    report = await load.stop();
    freshReport = await fresh.stop();
  }
  assert.equal(upgraded.status, 0, upgraded.stderr);
  const match = upgraded.stdout.match(/master (\d+) serves, generation 0; master (\d+) stops gracefully/);
  assert.ok(match, upgraded.stdout);
  const second = Number(match[1]);
  seen.add(second);
  assert.equal(Number(match[2]), drover.proc.pid);
  assert.notEqual(second, drover.proc.pid);
  assert.deepEqual(report.failures, [], `failed requests:\n${describeFailures(report.failures)}`);
  assert.deepEqual(freshReport.failures, [], "fresh connections failed");
  assert.ok(freshReport.ok > 0 && report.ok > 0);

  // 2. The pid file, the control socket and `drover status` are the new master's.
  const after = await currentMaster(drover);
  assert.equal(after.pid, second);
  assert.equal(readFileSync(join(drover.runDir, "drover.pid"), "utf8").trim(), String(second));
  assert.equal(after.status.masterPid, second);
  assert.equal(after.status.children.length, CONFIG.startServers);
  for (const child of after.status.children) {
    assert.ok(!oldChildren.has(child.pid), `child ${child.pid} is the old master's`);
    seen.add(child.pid);
  }
  assert.equal(await unixGet(socket), 200, "the unix socket file is still there and served");
  const reply = servedBy((await httpGet(port)).body);
  assert.ok(!oldChildren.has(reply.pid), "a new master's child served");
  const control = await sendControl(join(drover.runDir, "control.sock"), { command: "status" });
  assert.ok(
    control.ok && (control.status as StatusReport).masterPid === second,
    "its control socket answers",
  );

  // 3. A new master that cannot start (the config made invalid): the old one serves on.
  drover.writeConfig({ ...config, startServers: "many" });
  const failed = await drover.cli("upgrade");
  assert.equal(failed.status, 1, failed.stdout);
  assert.match(
    failed.stderr,
    /upgrade failed; this master serves on: .*startServers.*\[DROVER_ERR_UPGRADE_FAILED\]/s,
  );
  for (const [, pid] of drover.proc.output().matchAll(/the new master \(pid (\d+)\)/g)) seen.add(Number(pid));
  assert.equal(lockHolder(join(drover.runDir, "drover.pid")), second);
  assert.equal((await httpGet(port)).status, 200);

  // 4. SIGURG upgrades as the command does.
  drover.writeConfig(config);
  process.kill(second, "SIGURG");
  const third = await waitFor("a third master holding the pid file", () => {
    const pid = lockHolder(join(drover.runDir, "drover.pid"));
    return pid !== second && pid;
  });
  seen.add(third);
  await waitFor(`master ${second} gone`, () => !isRunning(second), 30_000);
  for (const child of (await drover.status()).children) seen.add(child.pid);
  assert.equal((await drover.status()).masterPid, third);
  assert.equal(await unixGet(socket), 200);
  assert.equal((await httpGet(port)).status, 200);
});
