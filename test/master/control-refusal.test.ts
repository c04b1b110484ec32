// A client turned away while it is still writing reads why, instead of losing the refusal to EPIPE:
// the server reads on (a bounded amount, for a bounded time) after refusing. The server runs in a
// process of its own, so that it closes while the client is in the middle of its write.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { spawnNode } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { BAD_REQUEST } from "../support/control.ts";

const SERVER = fileURLToPath(new URL("fixtures/control-server.ts", import.meta.url));

/** Writes `data` on a fresh connection; the first line back, or the error that ended it without one. */
function firstLine(path: string, data: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let buffered = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf("\n");
      if (newline < 0) return;
      socket.destroy();
      resolve(buffered.slice(0, newline));
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const newline = buffered.indexOf("\n");
      resolve(newline >= 0 ? buffered.slice(0, newline) : `no refusal, ${error.code}`);
    });
    socket.on("connect", () => socket.write(data));
  });
}

it("a client still writing a 1 MB line gets the refusal every time, not EPIPE", {
  timeout: 60_000,
}, async (t) => {
  const dir = makeTempDir("drover-test-control-");
  t.after(dir.remove);
  const path = join(dir.path, "control.sock");
  await spawnNode(SERVER, [path], { ready: /listening/, cleanup: (fn) => t.after(fn) });

  const line = "x".repeat(1024 * 1024);
  for (let i = 0; i < 20; i++) {
    const reply = await firstLine(path, line);
    assert.ok(reply.startsWith("{"), `attempt ${i + 1}: ${reply}`);
    const refusal = JSON.parse(reply) as { ok: boolean; error: { code: string; message: string } };
    assert.equal(refusal.error.code, BAD_REQUEST);
    assert.match(refusal.error.message, /64 KiB/);
  }
});
