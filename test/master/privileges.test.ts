// Started as root with `user`, the master keeps root and the listeners (a privileged port works) while
// every child drops to that user, and its groups, before its childInit runs. The children's user can
// use the shared memory it inherited but cannot resize it, so it cannot crash the master (review D9).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { assertAccount, assertRoot } from "../harness/preconditions.ts";
import { makeSharedDir, type SharedDir } from "../harness/temp.ts";
import { startDrover } from "../support/drover.ts";
import { request, statusPids, uidOf } from "../support/lifecycle.ts";

// drover's defineApp, copied beside each app: the clone may sit in a folder only root may enter, where
// the children's user could not read it (an app has drover in its own node_modules). It has no imports,
// and its brand is a registered symbol, so the copy's definitions are drover's.
const DEFINE = fileURLToPath(new URL("../../src/app/define.ts", import.meta.url));

// childInit writes the ids it runs with; the handler answers with its pid and uid.
const APP = `import { writeFileSync } from "node:fs";
import { defineApp } from "./define.ts";
export default defineApp({
  childInit: () => {
    writeFileSync(${JSON.stringify("RECORDS")} + "/init-" + process.pid, JSON.stringify({ uid: process.getuid(), gid: process.getgid() }));
  },
  handler: (_req, res) => res.end(process.pid + " " + process.getuid()),
});
`;

/**
 * A folder the dropped children can read (the app, drover's defineApp) and write (childInit's records):
 * world-readable, outside the run's root and the clone, owned by the children's user.
 */
function sharedFolder(t: TestContext, owner: { uid: number; gid: number }, app = APP): SharedDir {
  const dir = makeSharedDir("drover-test-privileges-", owner);
  t.after(() => dir.remove());
  dir.write("define.ts", readFileSync(DEFINE, "utf8"));
  dir.write("app.ts", app.replace("RECORDS", dir.path));
  return dir;
}

// childInit, running as the children's user, tries to shrink and to grow every memfd it inherited
// (the scoreboard, shmCounter's memory and lock) and writes down what the kernel said.
const RESIZING_APP = `import { ftruncateSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { defineApp } from "./define.ts";
export default defineApp({
  childInit: () => {
    const tries = [];
    for (const fd of readdirSync("/proc/self/fd")) {
      let link = "";
      try { link = readlinkSync("/proc/self/fd/" + fd); } catch { continue; }
      if (!link.startsWith("/memfd:drover-")) continue;
      for (const size of [0, 1 << 24]) {
        try { ftruncateSync(Number(fd), size); tries.push([link, size, "resized"]); }
        catch (error) { tries.push([link, size, error.code]); }
      }
    }
    writeFileSync(${JSON.stringify("RECORDS")} + "/resize-" + process.pid, JSON.stringify({ uid: process.getuid(), tries }));
  },
  handler: (_req, res) => res.end("ok"),
});
`;

function idsOf(pid: number): { gid: number; groups: number[] } {
  const lines = readFileSync(`/proc/${pid}/status`, "utf8").split("\n");
  const field = (name: string) =>
    (lines.find((l) => l.startsWith(`${name}:`)) ?? "")
      .slice(name.length + 1)
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  return { gid: field("Gid")[0] ?? -1, groups: field("Groups") };
}

/** A port below 1024 on loopback that nothing listens on (we are root, so we may bind it). */
async function freePrivilegedPort(): Promise<number> {
  for (let port = 81; port < 100; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port from 81 to 99 on 127.0.0.1");
}

it("children run as `user` (uid, gid and groups) from childInit on; the master stays root", {
  timeout: 60_000,
}, async (t) => {
  assertRoot("to start children as another user");
  const { uid, gid } = assertAccount("nobody");
  const shared = sharedFolder(t, { uid, gid });
  const drover = await startDrover({
    app: "export default () => {};\n",
    config: { app: join(shared.path, "app.ts"), user: "nobody", startServers: 2, workersPerChild: 2 },
  });
  t.after(() => drover.stop());

  assert.equal(uidOf(drover.proc.pid), 0, "the master keeps root");
  const pids = await statusPids(drover);
  assert.equal(pids.length, 2);
  for (const pid of pids) {
    assert.equal(uidOf(pid), uid, `child ${pid} runs as nobody`);
    assert.deepEqual(idsOf(pid), { gid, groups: [gid] }, `child ${pid} has nobody's group and no other`);
  }
  // childInit ran after the drop, in every child.
  const records = readdirSync(shared.path).filter((name) => name.startsWith("init-"));
  assert.deepEqual(records.map((name) => Number(name.slice(5))).sort(), [...pids].sort());
  for (const name of records)
    assert.deepEqual(JSON.parse(readFileSync(join(shared.path, name), "utf8")), { uid, gid });

  const reply = await drover.request();
  assert.equal(reply.status, 200);
  const [servedBy, servedAs] = reply.body.split(" ").map(Number);
  assert.ok(pids.includes(servedBy as number));
  assert.equal(servedAs, uid);
});

it("a privileged port works: the master binds it as root, children serve it as nobody", {
  timeout: 60_000,
}, async (t) => {
  assertRoot("to start children as another user");
  const { uid, gid } = assertAccount("nobody");
  const shared = sharedFolder(t, { uid, gid });
  const port = await freePrivilegedPort();
  const drover = await startDrover({
    app: "export default () => {};\n",
    config: {
      app: join(shared.path, "app.ts"),
      user: "nobody",
      listen: [`127.0.0.1:${port}`],
      startServers: 1,
      workersPerChild: 2,
    },
  });
  t.after(() => drover.stop());

  const [child] = await statusPids(drover);
  assert.ok(child !== undefined);
  assert.equal(uidOf(child), uid);
  for (let i = 0; i < 2; i++) {
    const reply = await request({ port });
    assert.equal(reply.status, 200);
    assert.equal(reply.body, `${child} ${uid}`);
  }
  // It keeps working across a graceful restart: the new children get the listener the master kept.
  const reload = await drover.cli("reload");
  assert.equal(reload.status, 0, reload.stderr);
  const reply = await request({ port });
  assert.equal(reply.status, 200);
  assert.match(reply.body, new RegExp(` ${uid}$`));
});

it("the children's user cannot shrink or grow the shared memory, so the master lives on", {
  timeout: 60_000,
}, async (t) => {
  assertRoot("to start children as another user");
  const { uid, gid } = assertAccount("nobody");
  const shared = sharedFolder(t, { uid, gid }, RESIZING_APP);
  const drover = await startDrover({
    app: "export default () => {};\n",
    config: {
      app: join(shared.path, "app.ts"),
      user: "nobody",
      startServers: 2,
      workersPerChild: 2,
      modules: [{ use: "shmCounter" }],
    },
  });
  t.after(() => drover.stop());

  const pids = await statusPids(drover);
  const records = readdirSync(shared.path).filter((name) => name.startsWith("resize-"));
  assert.deepEqual(records.map((name) => Number(name.slice(7))).sort(), [...pids].sort());
  for (const name of records) {
    const { uid: ran, tries } = JSON.parse(readFileSync(join(shared.path, name), "utf8")) as {
      uid: number;
      tries: [string, number, string][];
    };
    assert.equal(ran, uid);
    // The scoreboard, and shmCounter's memory and lock: each refused both ways.
    assert.equal(tries.length, 3 * 2, JSON.stringify(tries));
    for (const [link, size, outcome] of tries) assert.equal(outcome, "EPERM", `${link} to ${size} bytes`);
  }
  // The master reads every page of the scoreboard (status), and its children serve and count.
  for (let i = 0; i < 3; i++) assert.equal((await drover.request()).body, "ok");
  assert.equal((await drover.request("/shm-counter")).body, "3\n");
  const status = await drover.status();
  assert.equal(status.masterPid, drover.proc.pid);
  assert.equal(status.totals.children, 2);
  assert.equal(drover.proc.child.exitCode, null, "the master is alive");
});
