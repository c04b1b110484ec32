// The master's listeners across its life: a unix socket served and removed on stop, and the listen
// backlog the master asks for kept while children accept.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { type SpawnedProcess, spawnNode } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { startDrover } from "../support/drover.ts";
import {
  assertStoppedClean,
  request,
  SLEEPY_APP,
  scoreboardName,
  startMasterIn,
  statusPids,
} from "../support/lifecycle.ts";

it("listens on a unix socket, serves over it, and removes the socket file on stop", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({
    app: SLEEPY_APP,
    config: { listen: ["./app.sock"], startServers: 2, workersPerChild: 2 },
  });
  t.after(() => drover.stop());
  const socketPath = join(drover.dir.path, "app.sock");
  const scoreboard = scoreboardName(drover.runDir);
  const pids = await statusPids(drover);
  assert.ok(statSync(socketPath).isSocket());
  assert.match(drover.proc.output(), new RegExp(`is served on unix:${socketPath}`));

  for (let i = 0; i < 3; i++) {
    const reply = await request({ socketPath });
    assert.equal(reply.status, 200);
    assert.ok(pids.includes(Number(reply.body.split(" ")[1])), "a child of the master answers");
  }
  assert.equal((await drover.status()).totals.requests, 3);

  const stop = await drover.cli("stop");
  assert.equal(stop.status, 0, stop.stderr);
  await assertStoppedClean(drover, { scoreboard, pids });
  assert.equal(existsSync(socketPath), false, "the socket file is removed");
});

/** The backlog of the TCP socket listening on 127.0.0.1:`port`, as iproute2's `ss` shows it (Send-Q). */
function listenBacklog(port: number): number {
  let out: string;
  try {
    out = execFileSync("ss", ["-ltnH", `sport = :${port}`], { encoding: "utf8", timeout: 5_000 });
  } catch (error) {
    assert.fail(`this test reads the backlog with iproute2's ss (apt-get install iproute2): ${error}`);
  }
  const backlog = out.trim().split(/\s+/)[2];
  assert.ok(backlog !== undefined, `ss shows no socket listening on port ${port}: ${JSON.stringify(out)}`);
  return Number(backlog);
}

it("the listen backlog stays what the master asked for while children accept", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: { startServers: 1, workersPerChild: 2 } });
  t.after(() => drover.stop());
  const backlog = listenBacklog(drover.port);
  // listeners.ts asks for 4096; the kernel caps it at net.core.somaxconn.
  const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8"));
  assert.equal(backlog, Math.min(4096, somaxconn));
});

it("a unix socket file left by a dead server is taken over by the next master", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startDrover({
    app: SLEEPY_APP,
    config: { listen: ["./app.sock"], startServers: 1, workersPerChild: 2 },
  });
  let second: SpawnedProcess | undefined;
  t.after(async () => {
    await second?.stop();
    await drover.stop();
  });
  const socketPath = join(drover.dir.path, "app.sock");
  const stop = await drover.cli("stop");
  assert.equal(stop.status, 0, stop.stderr);
  await drover.proc.waitForExit();
  // A server killed outright (not drover's: its janitor would have removed the file) leaves its socket.
  const stale = await spawnNode(
    "-e",
    [`require("net").createServer().listen(${JSON.stringify(socketPath)}, () => console.log("up"))`],
    { ready: /up/ },
  );
  process.kill(stale.pid, "SIGKILL");
  await stale.waitForExit();
  assert.ok(statSync(socketPath).isSocket(), "the dead server's socket file is still there");
  await assert.rejects(request({ socketPath }), "nothing answers on it");

  second = await startMasterIn(drover.dir.path);
  const reply = await request({ socketPath });
  assert.equal(reply.status, 200);
  const stopped = await drover.cli("stop");
  assert.equal(stopped.status, 0, stopped.stderr);
  assert.deepEqual(await second.waitForExit(20_000), { code: 0, signal: null });
  assert.equal(existsSync(socketPath), false);
});

it("a unix socket file someone removed does not break the stop (review D11)", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({
    app: SLEEPY_APP,
    config: { listen: ["./app.sock"], startServers: 1, workersPerChild: 2 },
  });
  t.after(() => drover.stop());
  const socketPath = join(drover.dir.path, "app.sock");
  assert.equal((await request({ socketPath })).status, 200);
  rmSync(socketPath);
  process.kill(drover.proc.pid, "SIGTERM");
  assert.deepEqual(await drover.proc.waitForExit(20_000), { code: 0, signal: null }, drover.proc.output());
  assert.equal(existsSync(drover.runDir), false, "the run files went all the same");
  assert.doesNotMatch(drover.proc.output(), /ENOENT|"level":50/);
});

it("a unix socket path of 107 bytes, the most Linux allows, is served (review D19)", {
  timeout: 60_000,
}, async (t) => {
  const dir = makeTempDir("drover-test-long-");
  t.after(dir.remove);
  // An absolute path of exactly 107 bytes: sun_path holds 108 with the terminating NUL.
  const name = "s".repeat(107 - dir.path.length - 1);
  const socketPath = join(dir.path, name);
  assert.equal(Buffer.byteLength(socketPath), 107);
  const drover = await startDrover({
    app: SLEEPY_APP,
    config: { listen: [socketPath], startServers: 1, workersPerChild: 2 },
  });
  t.after(() => drover.stop());
  assert.equal((await request({ socketPath })).status, 200);
});
