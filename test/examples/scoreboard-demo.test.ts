import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { it } from "node:test";
import { freePort } from "../harness/ports.ts";
import { spawnNode } from "../harness/process.ts";

const demo = join(import.meta.dirname, "..", "..", "examples", "scoreboard-demo", "main.ts");

function fetchText(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path: "/", agent: false }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

it("serves, shows requests on the scoreboard, and stops cleanly on Ctrl-C", { timeout: 30_000 }, async () => {
  const port = await freePort();
  const proc = await spawnNode(demo, [], { env: { PORT: String(port) }, ready: /served by 2 children/ });
  try {
    for (let i = 0; i < 4; i++) assert.match(await fetchText(port), /^hello from child \d \(pid \d+\)/);
    await proc.waitForOutput(/^4 requests, 0 busy, 16 idle workers$/m);
    const scoreboard = `/dev/shm/drover-demo-${proc.pid}`;
    assert.ok(existsSync(scoreboard));
    process.kill(proc.pid, "SIGINT");
    assert.deepEqual(await proc.waitForExit(), { code: 0, signal: null });
    assert.equal(existsSync(scoreboard), false);
  } finally {
    await proc.stop();
  }
});
