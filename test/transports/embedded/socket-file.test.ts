// The service socket's file: 0600 whatever the umask and its folder's mode, put in place over a stale
// file, removed by close() only while it is still this server's; bad limits refused up front.
import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { connect } from "../../../src/client/index.ts";
import { isDroverError } from "../../../src/errors.ts";
import { type EmbeddedServer, listenEmbedded } from "../../../src/transports/embedded/index.ts";
import { makeTempDir } from "../../harness/temp.ts";
import { testDispatcher } from "./test-dispatcher.ts";

const quiet = { warn: () => {} };

it("the socket is owner-only under umask 0 in a folder anyone may enter, and replaces a stale file", async (t) => {
  const dir = makeTempDir("drover-test-embedded-");
  t.after(dir.remove);
  chmodSync(dir.path, 0o777);
  const path = join(dir.path, "dispatch.sock");
  writeFileSync(path, "stale");
  const umask = process.umask(0);
  let server: EmbeddedServer;
  try {
    server = await listenEmbedded(path, testDispatcher(), quiet);
  } finally {
    process.umask(umask);
  }
  t.after(() => server.close());

  const stat = statSync(path);
  assert.ok(stat.isSocket());
  assert.equal(stat.mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir.path), ["dispatch.sock"], "nothing else left in the folder");
  const client = await connect({ socket: path });
  t.after(() => client.close());
  assert.equal(await client.service("math").call("add", { a: 1, b: 2 }), 3);
  await server.close();
  assert.equal(existsSync(path), false);
});

it("close() leaves alone a socket another server has put in its place since", async (t) => {
  const dir = makeTempDir("drover-test-embedded-");
  t.after(dir.remove);
  const path = join(dir.path, "dispatch.sock");
  const first = await listenEmbedded(path, testDispatcher(), quiet);
  t.after(() => first.close());
  const second = await listenEmbedded(path, testDispatcher(), quiet);
  t.after(() => second.close());

  await first.close();
  assert.ok(existsSync(path));
  const client = await connect({ socket: path });
  t.after(() => client.close());
  assert.equal(await client.service("math").call("add", { a: 2, b: 2 }), 4);
  await client.close();
  await second.close();
  assert.equal(existsSync(path), false);
});

it("a path too long for a socket, or limits that are not positive whole numbers, are refused up front", async (t) => {
  const dir = makeTempDir("drover-test-embedded-");
  t.after(dir.remove);
  const path = join(dir.path, "dispatch.sock");
  await assert.rejects(
    listenEmbedded(join(dir.path, "d".repeat(120), "dispatch.sock"), testDispatcher(), quiet),
    (error) =>
      isDroverError(error, "DROVER_ERR_CONFIG_INVALID") && /choose a shorter runDir/.test(error.message),
  );
  for (const limits of [{ maxWriteBufferBytes: 0 }, { halfFrameTimeoutMs: -1 }, { closeGraceMs: 1.5 }]) {
    await assert.rejects(
      listenEmbedded(path, testDispatcher(), quiet, limits),
      (error) => isDroverError(error, "DROVER_ERR_CONFIG_INVALID"),
      JSON.stringify(limits),
    );
  }
  assert.deepEqual(readdirSync(dir.path), []);
});
