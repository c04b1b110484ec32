// The metrics of a scoreboard holding a dispatch pool (real shared memory, filled through the
// writers): per-service series labelled `service`, histograms built from the service records' buckets,
// and the listener pool's metrics counting no drone.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import { definePoolMetrics } from "../../../src/modules/builtin/metrics/pool-metrics.ts";
import { defineServiceMetrics } from "../../../src/modules/builtin/metrics/service-metrics.ts";
import { LATENCY_BUCKETS_MS, type Scoreboard } from "../../../src/scoreboard/index.ts";
import { SvcF64, serviceRecordOffset } from "../../../src/scoreboard/layout.ts";
import { ownFdPath } from "../../harness/temp.ts";
import { overwriteFields } from "../../support/corrupt.ts";
import {
  busyDrone,
  readyChild,
  SHAPE,
  serviceFields,
  withServiceBoard,
} from "../../support/service-board.ts";

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The text exposition of `board` as one scrape renders it: its samples and each metric's type. */
async function scrape(board: Scoreboard): Promise<{ samples: Sample[]; types: Map<string, string> }> {
  const registry = new Registry();
  const snapshot = board.snapshot();
  definePoolMetrics(registry, "drover_", () => snapshot);
  defineServiceMetrics(registry, "drover_", () => snapshot);
  const text = await registry.metrics();
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1] as string, type[2] as string);
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key as string] = value as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return { samples, types };
}

function values(samples: Sample[], name: string, labels: Record<string, string> = {}): number[] {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .map((s) => s.value);
}

/** A child; "math" (record 0) with two drones; "text" (record 2) with none. */
function fill(board: Scoreboard): void {
  const now = Date.now();
  board.master.writeService(0, serviceFields("math"));
  board.master.writeService(2, serviceFields("text", { drones: 0, idleDrones: 0 }));
  readyChild(board, 0, 4100, now);
  busyDrone(board, 2, 0, 4200, "add", now, now);
  busyDrone(board, 3, 0, 4201, "add", now, now);
}

describe("the metrics of a dispatch pool", () => {
  it("gives each service its counters and gauges, labelled with its name", async () => {
    await withServiceBoard(async (board) => {
      fill(board);
      const { samples, types } = await scrape(board);
      const math = { service: "math" };
      assert.deepEqual(values(samples, "drover_service_calls_received_total", math), [40]);
      assert.deepEqual(
        values(samples, "drover_service_calls_total", { ...math, outcome: "completed" }),
        [30],
      );
      assert.deepEqual(values(samples, "drover_service_calls_total", { ...math, outcome: "failed" }), [9]);
      assert.deepEqual(
        ["rejected", "expired", "cancelled", "drone_exited", "poison"].map((reason) =>
          values(samples, "drover_service_call_failures_total", { ...math, reason }),
        ),
        [[2], [3], [1], [1], [1]],
      );
      assert.deepEqual(values(samples, "drover_service_retries_total", math), [4]);
      assert.deepEqual(values(samples, "drover_service_sessions_opened_total", math), [5]);
      assert.deepEqual(values(samples, "drover_service_sessions_open", math), [1]);
      assert.deepEqual(values(samples, "drover_service_backlog", math), [3]);
      assert.deepEqual(values(samples, "drover_service_backlog_high_water", math), [7]);
      assert.deepEqual(
        ["starting", "idle", "busy"].map((state) =>
          values(samples, "drover_service_drones", { ...math, state }),
        ),
        [[0], [1], [1]],
      );
      assert.deepEqual(values(samples, "drover_service_drones", { service: "text", state: "busy" }), [0]);
      assert.deepEqual(values(samples, "drover_drone_resident_memory_bytes", { service: "math" }), [
        30 * 1024 * 1024,
        30 * 1024 * 1024,
      ]);
      assert.deepEqual(
        samples
          .filter((s) => s.name === "drover_drone_resident_memory_bytes")
          .map((s) => [s.labels.slot, s.labels.pid]),
        [
          ["2", "4200"],
          ["3", "4201"],
        ],
      );
      for (const name of ["service_calls_total", "service_call_failures_total", "service_retries_total"])
        assert.equal(types.get(`drover_${name}`), "counter", name);
      for (const name of ["service_backlog", "service_drones", "drone_resident_memory_bytes"])
        assert.equal(types.get(`drover_${name}`), "gauge", name);
    });
  });

  it("builds each latency histogram from the service record's buckets, in seconds", async () => {
    await withServiceBoard(async (board) => {
      fill(board);
      const { samples, types } = await scrape(board);
      assert.equal(types.get("drover_service_queue_wait_seconds"), "histogram");
      assert.equal(types.get("drover_service_run_seconds"), "histogram");
      const math = { service: "math" };
      const buckets = samples.filter(
        (s) => s.name === "drover_service_queue_wait_seconds_bucket" && s.labels.service === "math",
      );
      assert.deepEqual(
        buckets.map((s) => s.labels.le),
        [...LATENCY_BUCKETS_MS.map((ms) => String(ms / 1000)), "+Inf"],
      );
      // 0.2, 0.3, 4 and 20 ms, cumulative as Prometheus has them.
      assert.deepEqual(
        buckets.map((s) => s.value),
        [0, 1, 2, 2, 2, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
      );
      assert.deepEqual(values(samples, "drover_service_queue_wait_seconds_sum", math), [0.0245]);
      assert.deepEqual(values(samples, "drover_service_queue_wait_seconds_count", math), [4]);
      // 20 s is past the last bound (10 s): in +Inf only.
      assert.deepEqual(values(samples, "drover_service_run_seconds_bucket", { ...math, le: "10" }), [4]);
      assert.deepEqual(values(samples, "drover_service_run_seconds_bucket", { ...math, le: "+Inf" }), [5]);
      assert.deepEqual(values(samples, "drover_service_run_seconds_count", math), [5]);
    });
  });

  it("counts no drone in the listener pool's metrics", async () => {
    await withServiceBoard(async (board) => {
      fill(board);
      const { samples } = await scrape(board);
      assert.deepEqual(values(samples, "drover_children", { state: "ready" }), [1]);
      assert.equal(
        values(samples, "drover_workers").reduce((a, b) => a + b, 0),
        2,
        "the child's two workers only",
      );
      assert.deepEqual(values(samples, "drover_workers", { state: "reply" }), [0]);
      assert.deepEqual(values(samples, "drover_requests_total"), [1]);
      assert.deepEqual(
        [...new Set(samples.filter((s) => s.name.startsWith("drover_child_")).map((s) => s.labels.pid))],
        ["4100"],
      );
    });
  });

  it("has no series of a damaged service record, and counts it damaged", async () => {
    await withServiceBoard(async (board) => {
      fill(board);
      overwriteFields(ownFdPath(board.fd), serviceRecordOffset(SHAPE, 0), [[SvcF64.backlog * 8, -2, "f64"]]);
      const { samples } = await scrape(board);
      assert.deepEqual(
        [
          ...new Set(
            samples.filter((s) => s.name.startsWith("drover_service_")).map((s) => s.labels.service),
          ),
        ],
        ["text"],
      );
      assert.deepEqual(values(samples, "drover_drone_resident_memory_bytes"), [], "their service is unknown");
      assert.deepEqual(values(samples, "drover_scoreboard_damaged_records"), [1]);
    });
  });
});
