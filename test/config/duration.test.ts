import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readDuration } from "../../src/config/duration.ts";
import { MAX_DURATION_MS, parseDuration } from "../../src/config/index.ts";
import { ErrorCode } from "../../src/errors.ts";
import { throwsCode } from "./support.ts";

describe("durations", () => {
  it("reads numbers as milliseconds and strings with a unit", () => {
    const cases: [number | string, number][] = [
      [0, 0],
      [500, 500],
      [1.4, 1],
      ["0ms", 0],
      ["500ms", 500],
      ["30s", 30_000],
      ["1.5s", 1500],
      [".5s", 500],
      ["2m", 120_000],
      ["1h", 3_600_000],
      [" 30 s ", 30_000],
      ["+10s", 10_000],
      [MAX_DURATION_MS, MAX_DURATION_MS],
    ];
    for (const [input, ms] of cases) assert.equal(parseDuration(input), ms, JSON.stringify(input));
  });

  it("refuses what is not a duration, saying why and what to write", () => {
    const cases: [unknown, RegExp][] = [
      [
        "5 parsecs",
        /^is not a duration, got "5 parsecs" \(string\): use milliseconds as a number, or .*"30s"/,
      ],
      ["30S", /^is not a duration/],
      ["", /^is not a duration/],
      ["1e3ms", /^is not a duration/],
      [-1, /^must not be negative, got -1: use 0 or more$/],
      ["-1s", /^must not be negative, got "-1s" \(string\)/],
      [
        "500",
        /^has no unit, got "500" \(string\): write "500ms" or "500s", or the number 500 for milliseconds$/,
      ],
      [Number.NaN, /^must be a finite duration, got NaN/],
      [Number.POSITIVE_INFINITY, /^must be a finite duration, got Infinity/],
      [true, /^must be a duration, got true \(boolean\)/],
      [null, /^must be a duration, got null/],
      [MAX_DURATION_MS + 1, /^is longer than a Node timer can wait \(2147483647 ms, about 24.8 days\)/],
      ["1000h", /^is longer than a Node timer can wait/],
    ];
    for (const [input, reason] of cases) {
      const parsed = readDuration(input);
      assert.equal(parsed.ok, false, String(input));
      if (!parsed.ok) assert.match(parsed.reason, reason, String(input));
    }
  });

  it("parseDuration throws CONFIG_INVALID naming the field", async () => {
    const error = await throwsCode(() => parseDuration("soon", "heartbeatTimeout"), ErrorCode.CONFIG_INVALID);
    assert.match(error.message, /^config field "heartbeatTimeout" is not a duration, got "soon" \(string\)/);
  });
});
