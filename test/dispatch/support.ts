// Helpers of the dispatch pool's tests.
import assert from "node:assert/strict";

export type CallError = Error & { code?: string; remote?: unknown; methods?: string[] };

/** The rejection of `promise`, which must reject. */
export async function rejection(promise: Promise<unknown>): Promise<CallError> {
  try {
    await promise;
  } catch (error) {
    return error as CallError;
  }
  assert.fail("the call should have failed");
}
