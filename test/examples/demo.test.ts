// The demo `npm start` runs (examples/hello): it answers, and so do its built-in modules' pages.
import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import { freePort } from "../harness/ports.ts";
import { spawnNode, waitForPidsGone } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { CLI, httpGet } from "../support/drover.ts";
import { EXAMPLES_DIR } from "./support.ts";

it("the npm start demo serves hello, the status page, metrics and the shared counter", {
  timeout: 60_000,
}, async () => {
  const dir = makeTempDir("drover-test-demo-");
  const port = await freePort();
  const config = join(EXAMPLES_DIR, "hello", "drover.config.ts");
  const proc = await spawnNode(CLI, ["start", "--config", config, "--run-dir", join(dir.path, "run")], {
    cwd: dir.path,
    env: { PORT: String(port) },
    ready: /is served on/,
    readyTimeoutMs: 30_000,
  });
  try {
    const hello = await httpGet(port, "/");
    assert.match(hello.body, /^hello from drover child (\d+): GET \/\n$/);
    const status = await httpGet(port, "/server-status?auto");
    assert.match(status.body, /^Processes: 2$/m);
    const metrics = await httpGet(port, "/metrics");
    assert.match(metrics.body, /^drover_children\{state="ready"\} 2$/m);
    assert.equal((await httpGet(port, "/shm-counter")).body, "1\n", "the one hello request");
    const child = Number(/child (\d+)/.exec(hello.body)?.[1]);
    await proc.stop();
    await waitForPidsGone([child], 5_000);
  } finally {
    await proc.stop();
    dir.remove();
  }
});
