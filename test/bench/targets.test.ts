import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, it } from "node:test";
import { runNodeClient } from "../../bench/load/node.ts";
import { waitForWorkers } from "../../bench/process/ready.ts";
import { targets } from "../../bench/targets/index.ts";
import { markedProcesses } from "../../scripts/leftovers.ts";
import { isRunning } from "../../src/util/process-alive.ts";
import { freePort } from "../harness/ports.ts";
import { useOwnTmpDir } from "./own-tmp.ts";

describe("bench targets", () => {
  for (const target of targets) {
    it(`${target.id}: serves from every worker, then stops leaving nothing behind`, {
      timeout: 60_000,
    }, async (t) => {
      const temp = useOwnTmpDir(t);
      const port = await freePort();
      // Every process the target starts inherits the marker (PM2's daemon too), so none can hide.
      const marker = randomUUID();
      const env = {
        ...process.env,
        DROVER_BENCH_TEST: marker,
        BENCH_APP: "hello",
        BENCH_PORT: String(port),
        BENCH_WORKERS: "2",
      };
      const running = await target.start({ app: "hello", port, workers: 2, env });
      let pids: number[] = [];
      try {
        pids = await waitForWorkers(port, running.workers, 20_000, () => running.isDead());
        assert.equal(pids.length, running.workers);
      } finally {
        await running.stop();
      }
      assert.deepEqual(pids.filter(isRunning), []);
      assert.deepEqual(markedProcesses("DROVER_BENCH_TEST", marker), []);
      assert.equal(tmpdir(), temp.path);
      assert.deepEqual(readdirSync(temp.path), [], "the target removed its files");
    });
  }
});

describe("bench load client", () => {
  it("sends one request in 20 to the heavy path, at random, and reports the classes apart", {
    timeout: 60_000,
  }, async () => {
    const port = await freePort();
    const target = targets.find((t) => t.id === "single");
    assert.ok(target);
    const env = {
      ...process.env,
      BENCH_APP: "mixed",
      BENCH_PORT: String(port),
      BENCH_HEAVY_ITERATIONS: "1000",
    };
    const running = await target.start({ app: "mixed", port, workers: 1, env });
    try {
      await waitForWorkers(port, 1, 20_000, () => running.isDead());
      const result = await runNodeClient({
        origin: `http://127.0.0.1:${port}`,
        connections: 4,
        durationSeconds: 1,
        timeoutSeconds: 2,
        newConnectionPerRequest: false,
        fastPath: "/fast",
        heavyEvery: 20,
        heavyPath: "/heavy",
      });
      const heavy = result.heavy?.requests ?? 0;
      assert.ok(result.requests > 100, `only ${result.requests} requests`);
      // Each request is heavy with probability 1/20: within five standard deviations of 5%
      // (a binomial count; the generators are seeded, so a run either passes or fails every time
      // for a given number of requests).
      const spread = 5 * Math.sqrt(result.requests * 0.05 * 0.95);
      assert.ok(
        heavy > 0 && Math.abs(heavy - result.requests / 20) <= spread,
        `${heavy} heavy of ${result.requests}`,
      );
      assert.equal(
        Object.values(result.errors).reduce((a, b) => a + b, 0),
        0,
      );
    } finally {
      await running.stop();
    }
  });

  it("counts connect errors when nothing listens", { timeout: 30_000 }, async () => {
    const port = await freePort();
    const result = await runNodeClient({
      origin: `http://127.0.0.1:${port}`,
      connections: 1,
      durationSeconds: 1,
      timeoutSeconds: 1,
      newConnectionPerRequest: true,
      fastPath: "/",
      heavyEvery: 0,
      heavyPath: "/",
    });
    assert.equal(result.requests, 0);
    assert.ok(result.errors.connect > 0);
  });
});
