// Each example runs as shipped: `drover start --config examples/<name>/drover.config.ts`, on the port PORT
// names (the config reads it), with the run directory in a temp folder so that nothing is written in
// the repo. It answers `GET /`, then `drover stop` ends it and every process with it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { freePort } from "../harness/ports.ts";
import { spawnNode, waitForPidsGone } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { CLI, runCli } from "../support/drover.ts";
import { EXAMPLES, getJson } from "./support.ts";

describe("the examples' own configs", () => {
  for (const example of EXAMPLES) {
    it(`examples/${example.name}/drover.config.ts serves on PORT`, { timeout: 60_000 }, async () => {
      const dir = makeTempDir(`drover-test-example-${example.name}-`);
      const runDir = join(dir.path, "run");
      const port = await freePort();
      try {
        const proc = await spawnNode(CLI, ["start", "--config", example.config, "--run-dir", runDir], {
          cwd: dir.path,
          env: { PORT: String(port) },
          ready: /is served on/,
          readyTimeoutMs: 30_000,
        });
        try {
          assert.match(
            proc.output(),
            new RegExp(`is served on http://127\\.0\\.0\\.1:${port} by 2 children`),
          );
          const reply = await getJson(port, "/");
          assert.equal(reply.status, 200);
          assert.equal(reply.body.framework, example.name);
          const stop = await runCli(["stop", "--run-dir", runDir], dir.path);
          assert.equal(stop.status, 0, stop.stderr);
          assert.deepEqual(await proc.waitForExit(15_000), { code: 0, signal: null });
          await waitForPidsGone([reply.body.pid], 5_000);
        } finally {
          await proc.stop();
        }
      } finally {
        dir.remove();
      }
    });
  }
});
