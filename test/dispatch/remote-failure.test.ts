// What a drone's failed answer tells the caller: the method's throw is METHOD_FAILED with the remote
// error; a drone's own refusal, and a method that threw its ctx.signal's reason, keep their code.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { remoteFailure } from "../../src/dispatch/remote-failure.ts";

describe("a drone's failed answer", () => {
  it("is METHOD_FAILED for what the method threw, with the remote error", () => {
    const failure = remoteFailure({ name: "TypeError", message: "boom" }, "add", false);
    assert.equal(failure.code, "DROVER_ERR_METHOD_FAILED");
    assert.equal(failure.details?.remote?.message, "boom");
  });

  it("keeps the deadline's and the cancel's code when the method threw its signal's reason", () => {
    for (const code of ["DROVER_ERR_DISPATCH_TIMEOUT", "DROVER_ERR_DISPATCH_CANCELLED"]) {
      const failure = remoteFailure(
        { name: "DroverError", message: "the call ran past its deadline", code },
        "sleep",
        false,
      );
      assert.equal(failure.code, code);
    }
    const foreign = remoteFailure(
      { name: "Error", message: "x", code: "DROVER_ERR_DISPATCH_TIMEOUT" },
      "sleep",
      false,
    );
    assert.equal(foreign.code, "DROVER_ERR_METHOD_FAILED", "only drover's own errors keep their code");
  });
});
