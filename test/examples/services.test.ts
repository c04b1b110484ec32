// The services example as shipped (examples/services): an HTTP app whose `/heavy` hands fib to the
// "math" service's drones, started with its own config on the port PORT names. `/` and `/heavy`
// answer, a bad `n` is a 400 naming the service's refusal, the service takes calls and sessions from
// a client of its own, and `drover stop` ends every child and drone.
import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import { type Client, connect } from "../../src/client/index.ts";
import { freePort } from "../harness/ports.ts";
import { spawnNode, waitForPidsGone } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { CLI, httpGet, runCli } from "../support/drover.ts";
import { EXAMPLES_DIR } from "./support.ts";

interface AppReply {
  readonly app: string;
  readonly pid: number;
  readonly [field: string]: unknown;
}

async function getApp(port: number, path: string): Promise<{ status: number; body: AppReply }> {
  const reply = await httpGet(port, path);
  assert.match(String(reply.headers["content-type"]), /^application\/json/, `GET ${path}`);
  return { status: reply.status, body: JSON.parse(reply.body) as AppReply };
}

it("examples/services: / answers, /heavy is worked out by a drone, and the service takes direct calls", {
  timeout: 90_000,
}, async () => {
  const dir = makeTempDir("drover-test-example-services-");
  const runDir = join(dir.path, "run");
  const port = await freePort();
  const config = join(EXAMPLES_DIR, "services", "drover.config.ts");
  let client: Client | undefined;
  try {
    const proc = await spawnNode(CLI, ["start", "--config", config, "--run-dir", runDir], {
      cwd: dir.path,
      env: { PORT: String(port) },
      ready: /is served on/,
      readyTimeoutMs: 30_000,
    });
    try {
      assert.match(
        proc.output(),
        /by 2 children; service "math" is served on unix:.*dispatch\.sock by drones/,
      );
      const root = await getApp(port, "/");
      assert.equal(root.status, 200);
      assert.deepEqual(root.body, { app: "services", pid: root.body.pid, hello: "fast answer" });

      const heavy = await getApp(port, "/heavy?n=25");
      assert.equal(heavy.status, 200);
      assert.equal(heavy.body.value, 75025);
      const drone = heavy.body.drone as number;
      assert.notEqual(drone, heavy.body.pid, "fib ran in another process than the HTTP child");
      const status = JSON.parse((await runCli(["status", "--json", "--run-dir", runDir], dir.path)).stdout);
      const drones = status.services[0].droneProcesses.map((entry: { pid: number }) => entry.pid);
      assert.ok(drones.includes(drone), `the answer came from a drone of math (${drones}): ${drone}`);

      for (const bad of ["abc", "39", "-1"]) {
        const refused = await getApp(port, `/heavy?n=${bad}`);
        assert.equal(refused.status, 400, `n=${bad}`);
        assert.equal(refused.body.code, "DROVER_ERR_METHOD_FAILED");
        assert.match(String(refused.body.error), /fib takes \{ n \}, a whole number from 0 to 38/);
      }

      client = await connect({ runDir });
      const math = client.service("math");
      assert.equal(await math.call("add", { a: 1, b: 2 }), 3);
      const session = await math.session();
      const first = (await session.call("tally", { add: 2 })) as { total: number; drone: number };
      const second = (await session.call("tally", { add: 3 })) as { total: number; drone: number };
      assert.deepEqual([first.total, second.total], [2, 5], "the total lives in the session");
      assert.equal(second.drone, first.drone, "on the one drone the session is pinned to");
      await session.close();

      const stop = await runCli(["stop", "--run-dir", runDir], dir.path);
      assert.equal(stop.status, 0, stop.stderr);
      assert.deepEqual(await proc.waitForExit(15_000), { code: 0, signal: null });
      await waitForPidsGone([root.body.pid, heavy.body.pid, ...drones], 5_000);
    } finally {
      await client?.close();
      await proc.stop();
    }
  } finally {
    dir.remove();
  }
});
