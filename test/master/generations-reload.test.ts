// A graceful restart: generation N stops accepting, finishes its in-flight requests (those on keep-alive
// connections too) and exits, while generation N+1 takes over.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { RawConnection } from "../support/load.ts";
import { pids, servedBy, serving, startFixture } from "../support/pool.ts";

/** GET /slow on a fresh connection: resolves `started` once the headers are in, `done` with the body. */
function slowRequest(port: number, path: string) {
  let started: () => void = () => {};
  const headers = new Promise<void>((resolve) => (started = resolve));
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = get({ host: "127.0.0.1", port, path, agent: false }, (response) => {
      started();
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      response.on("error", reject);
    });
    request.setTimeout(40_000, () => request.destroy(new Error("the slow request timed out")));
    request.on("error", reject);
  });
  return { headers, done };
}

it("finishes in-flight and keep-alive requests on the old generation, then retires it", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startFixture({ startServers: 2, workersPerChild: 4, minSpareWorkers: 2 });
  t.after(() => drover.stop());
  const before = await drover.status();
  assert.equal(before.generation, 0);
  const oldPids = pids(serving(before));
  assert.equal(oldPids.length, 2);

  // Two requests in flight across the reload, answered only once the test creates `release`: one on a
  // fresh connection, one on a keep-alive connection that then sends another request.
  const release = join(drover.dir.path, "release");
  const slowPath = `/slow?until=${encodeURIComponent(release)}`;
  const slow = slowRequest(drover.port, slowPath);
  const keepAlive = await RawConnection.open(drover.port);
  t.after(() => keepAlive.close());
  const keptSlow = keepAlive.get(slowPath, 40_000);
  await slow.headers;
  await waitFor("the keep-alive request in flight", () => keepAlive.headReceived);

  const reload = await drover.cli("reload");
  assert.equal(reload.status, 0, reload.stderr);
  assert.match(reload.stdout, /generation 1 is serving/);
  writeFileSync(release, "");

  const slowReply = await slow.done;
  assert.equal(slowReply.status, 200);
  assert.match(slowReply.body, /^gen=0 pid=\d+ slow$/);
  assert.ok(oldPids.includes(servedBy(slowReply.body).pid));

  // The old child finishes the keep-alive connection's request, answers its next one, and closes it.
  const first = await keptSlow;
  assert.equal(first.status, 200);
  const keptBy = servedBy(first.body);
  assert.deepEqual([keptBy.generation, oldPids.includes(keptBy.pid)], [0, true]);
  const second = await keepAlive.get("/");
  assert.equal(second.status, 200);
  assert.equal(second.headers.connection, "close");
  assert.deepEqual(servedBy(second.body), keptBy);
  await waitFor("the old child closes the keep-alive connection", () => keepAlive.closed, 5_000);

  await waitForPidsGone(oldPids, 15_000);
  const after = await waitFor("only generation 1 left", async () => {
    const status = await drover.status();
    return status.children.every((child) => child.generation === 1) && status;
  });
  assert.equal(after.generation, 1);
  const newPids = pids(serving(after));
  assert.ok(newPids.length >= 1);
  assert.deepEqual(
    newPids.filter((pid) => oldPids.includes(pid)),
    [],
  );
  const fresh = servedBy((await drover.request("/")).body);
  assert.equal(fresh.generation, 1);
  assert.ok(newPids.includes(fresh.pid));
});
