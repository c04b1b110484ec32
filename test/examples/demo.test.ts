// The demo `npm start` runs (examples/hello): it answers, and so do its built-in modules' pages, and its
// "math" service answers a client and `drover call`.
import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import { type Client, connect } from "../../src/client/index.ts";
import { freePort } from "../harness/ports.ts";
import { spawnNode, waitForPidsGone } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { CLI, httpGet, runCli } from "../support/drover.ts";
import { EXAMPLES_DIR } from "./support.ts";

it("the npm start demo serves hello, the status page, metrics, the shared counter and the math service", {
  timeout: 60_000,
}, async () => {
  const dir = makeTempDir("drover-test-demo-");
  const port = await freePort();
  const runDir = join(dir.path, "run");
  const config = join(EXAMPLES_DIR, "hello", "drover.config.ts");
  const proc = await spawnNode(CLI, ["start", "--config", config, "--run-dir", runDir], {
    cwd: dir.path,
    env: { PORT: String(port) },
    ready: /is served on/,
    readyTimeoutMs: 30_000,
  });
  let client: Client | undefined;
  try {
    const hello = await httpGet(port, "/");
    assert.match(hello.body, /^hello from drover child (\d+): GET \/\n$/);
    const status = await httpGet(port, "/server-status?auto");
    assert.match(status.body, /^Processes: 2$/m, "the drone is no child");
    assert.match(status.body, /^Service\[math\] Drones: 1$/m);
    const metrics = await httpGet(port, "/metrics");
    assert.match(metrics.body, /^drover_children\{state="ready"\} 2$/m);
    assert.equal((await httpGet(port, "/shm-counter")).body, "1\n", "the one hello request");

    client = await connect({ runDir });
    const math = client.service("math");
    assert.equal(await math.call("add", { a: 1, b: 2 }), 3);
    const { drone } = (await math.call("fib", { n: 10 })) as { value: number; drone: number };

    const call = await runCli(["call", "math", "add", '{"a":1,"b":2}', "--run-dir", runDir], dir.path);
    assert.deepEqual(call, { status: 0, stdout: "3\n", stderr: "" });
    const wrong = await runCli(["call", "math", "sub", '{"a":1,"b":2}', "--run-dir", runDir], dir.path);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^DROVER_ERR_NO_SUCH_METHOD: service "math" has no method "sub"/);

    const child = Number(/child (\d+)/.exec(hello.body)?.[1]);
    await client.close();
    await proc.stop();
    await waitForPidsGone([child, drone], 5_000);
  } finally {
    await client?.close();
    await proc.stop();
    dir.remove();
  }
});
