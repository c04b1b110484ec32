// keep-tick-shape keeps process.nextTick's object literal on V8's fast path through the collections of
// an idle child (src/child/keep-tick-shape.ts). The fixture prints V8's own feedback for nextTick: the
// sites that define the tick's symbol keys must stay monomorphic. Without the module they go
// megamorphic; should that stop, Node no longer needs the module.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { spawnNode } from "../harness/process.ts";

const FIXTURE = join(import.meta.dirname, "fixtures", "tick-feedback.ts");

/** How many of nextTick's literal key sites are in each state, after an idle process's collections. */
async function literalSites(keep: boolean): Promise<Record<string, number>> {
  const proc = await spawnNode(FIXTURE, [], { env: { KEEP_TICK_SHAPE: keep ? "1" : "0" } });
  try {
    const exit = await proc.waitForExit(30_000);
    assert.equal(exit.code, 0, proc.output());
  } finally {
    await proc.stop();
  }
  const states: Record<string, number> = {};
  for (const [, state = ""] of proc.output().matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g))
    states[state] = (states[state] ?? 0) + 1;
  return states;
}

describe("keep-tick-shape", { timeout: 60_000 }, () => {
  it("keeps nextTick's literal monomorphic through an idle process's collections", async () => {
    const kept = await literalSites(true);
    assert.ok((kept.MONOMORPHIC ?? 0) > 0, `no literal site seen: ${JSON.stringify(kept)}`);
    assert.equal(kept.MEGAMORPHIC, undefined, JSON.stringify(kept));
  });

  it("is needed: without it the same collections leave the literal megamorphic", async () => {
    const without = await literalSites(false);
    assert.ok(
      (without.MEGAMORPHIC ?? 0) > 0,
      `Node may no longer need keep-tick-shape: ${JSON.stringify(without)}`,
    );
  });
});
