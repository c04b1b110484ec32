// Asserting drover's errors by their stable code.
import assert from "node:assert/strict";
import { type DroverError, isDroverError } from "../../src/errors.ts";

/** Asserts that `caught` (what a call threw, undefined if nothing) is a DroverError with `code`. */
export function assertDroverError(caught: unknown, code: string): DroverError {
  assert.ok(caught !== undefined, `expected ${code}, nothing was thrown`);
  assert.ok(isDroverError(caught), `expected a DroverError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

/** Asserts that `fn` throws a DroverError with `code`, and returns it. */
export function throwsCode(fn: () => unknown, code: string): DroverError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  return assertDroverError(caught, code);
}
