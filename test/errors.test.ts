import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DroverError, ErrorCode, isDroverError } from "../src/errors.ts";

describe("error codes", () => {
  const codes = Object.entries(ErrorCode);

  it("are unique, prefixed and named after their key", () => {
    assert.equal(new Set(codes.map(([, code]) => code)).size, codes.length);
    for (const [key, code] of codes) assert.equal(code, `DROVER_ERR_${key}`);
  });

  it("are each documented in docs/errors.md, which names no other", () => {
    const docs = readFileSync(join(import.meta.dirname, "..", "docs", "errors.md"), "utf8");
    const documented = new Set(docs.match(/^## (DROVER_ERR_\w+)$/gm)?.map((heading) => heading.slice(3)));
    assert.deepEqual([...documented].sort(), codes.map(([, code]) => code).sort());
  });

  it("are recognised by instanceof and isDroverError", () => {
    const error = new DroverError(ErrorCode.SHM_NOT_FOUND, "gone", { cause: new Error("ENOENT") });
    assert.ok(error instanceof DroverError);
    assert.ok(error instanceof Error);
    assert.ok(isDroverError(error, ErrorCode.SHM_NOT_FOUND));
    assert.equal(isDroverError(error, ErrorCode.SHM_FOREIGN), false);
    assert.equal(isDroverError(new Error("plain")), false);
    assert.equal(error.name, "DroverError");
    assert.equal(Object.keys(error).includes("name"), false);
  });
});
