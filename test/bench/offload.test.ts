// The offload targets of the bench: `/fast` answers from the HTTP children, `/heavy` runs the fixed
// loop in a drone of the `burn` service (the master counts its calls), the drones run at the target's
// niceness and the children at 0, and stopping leaves nothing behind.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { getPriority } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { burn } from "../../bench/apps/burn.ts";
import { waitForWorkers } from "../../bench/process/ready.ts";
import { droverOffload, droverOffloadNice, OFFLOAD_DRONE_NICE } from "../../bench/targets/drover-offload.ts";
import { markedProcesses } from "../../scripts/leftovers.ts";
import type { StatusReport } from "../../src/status/report.ts";
import { isRunning } from "../../src/util/process-alive.ts";
import { freePort } from "../harness/ports.ts";
import { waitFor } from "../harness/wait.ts";
import { runCli } from "../support/drover.ts";
import { useOwnTmpDir } from "./own-tmp.ts";

const ITERATIONS = 200_000;
const HEAVY_CALLS = 4;

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text() };
}

async function status(runDir: string): Promise<StatusReport> {
  const { status: code, stdout, stderr } = await runCli(["status", "--json", `--run-dir=${runDir}`], runDir);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as StatusReport;
}

describe("bench offload targets", () => {
  for (const [target, droneNice] of [
    [droverOffload, 0],
    [droverOffloadNice, OFFLOAD_DRONE_NICE],
  ] as const) {
    it(`${target.id}: /fast from the HTTP children, /heavy from drones at nice ${droneNice}; nothing left behind`, {
      timeout: 90_000,
    }, async (t) => {
      const temp = useOwnTmpDir(t);
      const port = await freePort();
      const marker = randomUUID();
      const env = {
        ...process.env,
        DROVER_BENCH_TEST: marker,
        BENCH_APP: "mixed",
        BENCH_PORT: String(port),
        BENCH_WORKERS: "2",
        BENCH_HEAVY_ITERATIONS: String(ITERATIONS),
      };
      const running = await target.start({ app: "mixed", port, workers: 2, env });
      let pids: number[] = [];
      try {
        pids = await waitForWorkers(port, running.workers, 30_000, () => running.isDead());
        assert.equal(pids.length, 2);
        assert.deepEqual(await get(port, "/fast"), { status: 200, body: "fast" });

        // Each child seeds its heavy requests 1, 2, ...: the body is the loop's result for one of them,
        // so the iteration count reached the drones (with none, the body would be the seed itself).
        const expected = new Set(
          Array.from({ length: HEAVY_CALLS }, (_, i) => String(burn(ITERATIONS, i + 1))),
        );
        for (let i = 0; i < HEAVY_CALLS; i++) {
          const heavy = await get(port, "/heavy");
          assert.equal(heavy.status, 200, heavy.body);
          assert.ok(expected.has(heavy.body), `unexpected /heavy body ${heavy.body}`);
        }

        const [folder] = readdirSync(temp.path);
        assert.ok(folder, "the target made its folder");
        const runDir = join(temp.path, folder, "run");
        // The master publishes its service counters at most 100 ms late.
        const report = await waitFor("the burn service's calls counted", async () => {
          const now = await status(runDir);
          const burnService = now.services.find((service) => service.name === "burn");
          return burnService && burnService.counters.completed >= HEAVY_CALLS ? now : undefined;
        });
        const burnService = report.services.find((service) => service.name === "burn");
        assert.equal(burnService?.counters.completed, HEAVY_CALLS, "every /heavy ran in a drone, once");
        assert.equal(burnService?.counters.failed, 0);
        const drones = burnService?.droneProcesses.map((drone) => drone.pid) ?? [];
        assert.equal(drones.length, 2, "one drone per worker");
        assert.deepEqual(
          drones.map((pid) => getPriority(pid)),
          [droneNice, droneNice],
        );
        assert.deepEqual(
          report.children.map((child) => getPriority(child.pid)),
          [0, 0],
          "the HTTP children keep the default priority",
        );
        pids.push(...drones);
      } finally {
        await running.stop();
      }
      assert.deepEqual(pids.filter(isRunning), []);
      assert.deepEqual(markedProcesses("DROVER_BENCH_TEST", marker), []);
      assert.deepEqual(readdirSync(temp.path), [], "the target removed its files");
    });
  }
});
