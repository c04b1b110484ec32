import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isPhase, PHASE_SITE, PHASES } from "../../src/modules/index.ts";

describe("hook phases", () => {
  it("come in Apache's order, configuration first, then children, then monitoring", () => {
    assert.deepEqual(PHASES, [
      "preConfig",
      "checkConfig",
      "openLogs",
      "postConfig",
      "childInit",
      "childExit",
      "childStatus",
      "monitor",
    ]);
  });

  it("each say where they run: only childInit and childExit in the child", () => {
    assert.deepEqual(Object.keys(PHASE_SITE), [...PHASES]);
    const inChild = PHASES.filter((phase) => PHASE_SITE[phase] === "child");
    assert.deepEqual(inChild, ["childInit", "childExit"]);
    assert.ok(Object.isFrozen(PHASE_SITE));
  });

  it("are recognised by name, case and all", () => {
    for (const phase of PHASES) assert.ok(isPhase(phase));
    for (const other of ["postconfig", "init", "", "toString", 3, undefined])
      assert.equal(isPhase(other), false);
  });
});
