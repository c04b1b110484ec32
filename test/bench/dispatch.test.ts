import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { openCaller, waitForWorkers } from "../../bench/dispatch/caller.ts";
import { figures } from "../../bench/dispatch/figures.ts";
import { addJob } from "../../bench/dispatch/jobs.ts";
import { sequential } from "../../bench/dispatch/loop.ts";
import { measure } from "../../bench/dispatch/measure.ts";
import { DISPATCH_END, DISPATCH_START, dispatchSection } from "../../bench/dispatch/report.ts";
import type { Sample } from "../../bench/dispatch/results.ts";
import { dispatchTargets } from "../../bench/dispatch/targets.ts";
import { replaceBetween } from "../../bench/report/markers.ts";
import { markedProcesses } from "../../scripts/leftovers.ts";
import { isRunning } from "../../src/util/process-alive.ts";
import { makeTempDir } from "../harness/temp.ts";

const WORKERS = 2;

describe("dispatch bench targets", () => {
  const samples: Sample[] = [];

  for (const target of dispatchTargets) {
    it(`${target.id}: answers every figure's calls correctly for a second each, then leaves nothing behind`, {
      timeout: 90_000,
    }, async (t) => {
      const temp = makeTempDir("bench-dispatch-");
      t.after(() => temp.remove());
      // Every process the target starts inherits the marker, so none can hide from the check below.
      const marker = randomUUID();
      const running = await target.start({
        workers: WORKERS,
        parentDir: temp.path,
        env: { DROVER_BENCH_TEST: marker },
      });
      try {
        const caller = await openCaller(running.socket);
        try {
          if (!target.echoes) {
            assert.equal((await waitForWorkers(caller.call, WORKERS)).length, WORKERS);
          }
          // The answers are checked: what an echo returns is wrong for add, and a sum is wrong for an echo.
          await assert.rejects(
            sequential(caller.call, addJob(!target.echoes), 1, 0),
            /call 0 of add answered/,
          );
          for (const figure of figures.filter((f) => f.targets.includes(target.id))) {
            const sample = await measure(figure, target, { call: caller.call, pgid: running.pid }, 1, {
              calls: 200,
              seconds: 1,
              spinIterations: 50_000,
              warmupCalls: 20,
              warmupSeconds: 0.2,
            });
            assert.ok(sample.p50 > 0 && sample.p99 >= sample.p50, `${figure.id}: ${JSON.stringify(sample)}`);
            if (figure.mode === "in-flight") assert.ok((sample.callsPerSecond ?? 0) > 0);
            // The target's processes and the client did the work: CPU read from every member of its group.
            assert.ok(sample.cpu.serverUs > 0 && sample.cpu.clientUs > 0, JSON.stringify(sample.cpu));
            samples.push(sample);
          }
        } finally {
          await caller.close();
        }
      } finally {
        await running.stop();
      }
      assert.equal(isRunning(running.pid), false);
      assert.deepEqual(markedProcesses("DROVER_BENCH_TEST", marker), []);
      assert.deepEqual(readdirSync(temp.path), [], "the target removed its folder");
    });
  }

  it("renders its section between the dispatch markers, each goal with its ratio", () => {
    assert.ok(samples.length > 0, "the targets' tests ran first");
    const spin = { iterations: 50_000, measuredMs: 0.1 };
    const facts = {
      command: "node bench/dispatch/run.ts",
      date: "2026-12-01T00:00:00.000Z",
      nodeVersion: process.version,
      cores: 2,
      cpuModel: "test CPU",
      loadAtStart: [1, 2, 3],
      loadAtEnd: [1, 2, 3],
      rounds: 1,
      calls: 200,
      seconds: 1,
      workers: WORKERS,
      spin,
    };
    const section = dispatchSection(facts, samples);
    for (const figure of figures) assert.match(section, new RegExp(`#### ${figure.title}`));
    assert.match(
      section,
      /- drover: p50 \*\*[\d.]+×\*\* piscina behind a socket's \(goal ≤ 0.6×: \*\*(met|missed)\*\*\)/,
    );
    const document = `# B\n\n${DISPATCH_START}\nold\n${DISPATCH_END}\n\nafter\n`;
    const written = replaceBetween(document, section, DISPATCH_START, DISPATCH_END);
    assert.ok(written.endsWith(`${DISPATCH_END}\n\nafter\n`) && !written.includes("old"));
  });
});
