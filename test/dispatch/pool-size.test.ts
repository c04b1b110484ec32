// The pool's size over time: the spare band kept by the once-a-second maintenance, and what a real
// master shows of it (drover status, drover call).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { startServices } from "../support/services.ts";

describe("the pool's size", { timeout: 120_000 }, () => {
  it("keeps minSpareDrones idle and retires the drones above maxSpareDrones", async (t) => {
    const drover = await startServices({
      math: { minDrones: 1, maxDrones: 4, minSpareDrones: 2, maxSpareDrones: 3 },
    });
    t.after(() => drover.stop());
    const service = async () => (await drover.status()).services[0];
    await waitFor("two idle drones", async () => (await service())?.idleDrones === 2);

    // Four calls at once: every drone busy, the pool grows to maxDrones.
    const math = (await drover.client()).service("math");
    const release = join(drover.marks, "release");
    const calls = Array.from({ length: 4 }, () => math.call("waitFor", { file: release }));
    await waitFor("four drones", async () => (await service())?.drones === 4);
    writeFileSync(release, "");
    await Promise.all(calls);
    // Four idle, one too many: maintenance retires the coldest.
    await waitFor("back to the band", async () => {
      const now = await service();
      return now?.drones === 3 && now.idleDrones === 3;
    });
    const counters = (await service())?.counters;
    assert.equal(counters?.calls, 4);
    assert.equal(counters?.completed, 4);
  });

  it("drover call prints a result, and exits 1 with the code of a failure", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const ok = await drover.cli("call", "math", "add", '{"a":1,"b":2}');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), "3");
    const failed = await drover.cli("call", "math", "nope", "{}");
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /DROVER_ERR_NO_SUCH_METHOD/);
    const text = await drover.cli("status");
    assert.match(text.stdout, /math/);
  });
});
