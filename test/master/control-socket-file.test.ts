// The socket file: 0600 whatever the umask and its folder's mode (review D24), put in place over what
// was there, and removed by close() only while it is still this server's.
import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { isDroverError } from "../../src/errors.ts";
import { sendControl } from "../../src/master/control/control-client.ts";
import { startControlServer } from "../../src/master/control/control-server.ts";
import { makeTempDir } from "../harness/temp.ts";
import { echo } from "../support/control.ts";

it("the socket is owner-only even under umask 0 in a folder anyone may enter, and replaces a stale file", async (t) => {
  const dir = makeTempDir("drover-test-control-");
  t.after(dir.remove);
  chmodSync(dir.path, 0o777);
  const path = join(dir.path, "control.sock");
  writeFileSync(path, "stale");
  const umask = process.umask(0);
  let server: Awaited<ReturnType<typeof startControlServer>>;
  try {
    server = await startControlServer(path, echo);
  } finally {
    process.umask(umask);
  }
  t.after(() => server.close());

  const stat = statSync(path);
  assert.ok(stat.isSocket());
  assert.equal(stat.mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir.path), ["control.sock"], "nothing else left in the folder");
  assert.equal((await sendControl(path, { command: "status" }, 10_000)).ok, true);
  await server.close();
  assert.equal(existsSync(path), false);
});

it("close() leaves alone a socket another server has put in its place since", async (t) => {
  const dir = makeTempDir("drover-test-control-");
  t.after(dir.remove);
  const path = join(dir.path, "control.sock");
  const first = await startControlServer(path, async () => ({ server: "first" }));
  t.after(() => first.close());
  const second = await startControlServer(path, async () => ({ server: "second" }));
  t.after(() => second.close());

  await first.close();
  const reply = await sendControl(path, { command: "status" }, 10_000);
  assert.equal(reply.ok && reply.server, "second");
  await second.close();
  assert.equal(existsSync(path), false);
});

it("limits that are not positive whole numbers are refused before anything is created", async (t) => {
  const dir = makeTempDir("drover-test-control-");
  t.after(dir.remove);
  const path = join(dir.path, "control.sock");
  for (const options of [{ maxQueued: 0 }, { idleTimeoutMs: -1 }, { maxConnections: 1.5 }]) {
    await assert.rejects(
      startControlServer(path, echo, options),
      (error) => isDroverError(error, "DROVER_ERR_CONFIG_INVALID"),
      JSON.stringify(options),
    );
  }
  assert.deepEqual(readdirSync(dir.path), []);
});
