// A child's SIGUSR1 guard: without it, SIGUSR1 makes Node open its inspector on 127.0.0.1:9229. The
// pool-wide check (with --disable-sigusr1 as well) is in test/master/hung.test.ts.
import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import { isAlive, spawnNode } from "../harness/process.ts";
import { listeningTcpPorts } from "../support/listening-ports.ts";

it("keeps a process's inspector shut and the process running on SIGUSR1", { timeout: 30_000 }, async (t) => {
  const proc = await spawnNode(join(import.meta.dirname, "fixtures", "sigusr1-child.ts"), [], {
    ready: /tick 1\n/,
    cleanup: (stop) => t.after(stop),
  });
  const ticked = Number(proc.output().match(/tick (\d+)\n(?![\s\S]*tick)/)?.[1]);
  process.kill(proc.pid, "SIGUSR1");
  // Its event loop has turned a few times since: the signal was taken.
  await proc.waitForOutput(new RegExp(`tick ${ticked + 5}\\n`));
  assert.ok(isAlive(proc.pid));
  assert.deepEqual(listeningTcpPorts(proc.pid), []);
  assert.doesNotMatch(proc.output(), /Debugger listening|inspector/i);
});
