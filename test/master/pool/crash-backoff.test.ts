// The crash-loop backoff, failure by failure: three early failures free, then a wait doubling from
// 0.5 s to 30 s; a long-lived child's failure restarts the count without cutting a wait short; a new
// generation starts afresh, and a wait armed by an older one holds no other.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CrashBackoff } from "../../../src/master/pool/crash-backoff.ts";

describe("crash backoff", () => {
  it("lets three early failures go, then doubles the wait up to 30 s", () => {
    const backoff = new CrashBackoff();
    const delays = Array.from({ length: 12 }, () => backoff.failed(1, 1_000, 0));
    assert.deepEqual(delays, [0, 0, 0, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    assert.equal(backoff.streak, 12);
    assert.equal(backoff.waiting(1, 29_999), true);
    assert.equal(backoff.waiting(1, 30_000), false);
  });

  it("a child that lived 30 s starts the count again, but the wait its peers armed holds", () => {
    const backoff = new CrashBackoff();
    for (let i = 0; i < 8; i++) backoff.failed(1, 1_000, 0); // the last armed 8 s
    assert.equal(backoff.failed(1, 30_000, 1_000), 0);
    assert.equal(backoff.streak, 1);
    assert.equal(backoff.waiting(1, 7_999), true, "not cut short");
    assert.equal(backoff.failed(1, 1_000, 9_000), 0, "two more early ones are free again");
  });

  it("a new generation starts afresh: an older one's wait does not hold it", () => {
    const backoff = new CrashBackoff();
    for (let i = 0; i < 10; i++) backoff.failed(1, 1_000, 0);
    assert.equal(backoff.waiting(2, 1_000), false, "generation 2 was never in a crash loop");
    assert.equal(backoff.failed(2, 1_000, 1_000), 0);
    assert.equal(backoff.streak, 1);
    assert.equal(backoff.waiting(2, 1_000), false);
    assert.equal(backoff.waiting(1, 1_000), false, "nor is 1 held once 2 took over");
  });
});
