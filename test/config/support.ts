// Helpers shared by the config tests (not a test file).
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { assertDroverError } from "../harness/errors.ts";
import { makeTempDir } from "../harness/temp.ts";

/** Runs `fn` in a fresh temp folder holding an empty app.js, and removes the folder afterwards. */
export async function withDir<T>(fn: (dir: string) => T | Promise<T>): Promise<T> {
  const temp = makeTempDir("drover-config-");
  try {
    writeFileSync(join(temp.path, "app.js"), "export default () => {};\n");
    return await fn(temp.path);
  } finally {
    temp.remove();
  }
}

/** Writes `text` to `dir/name`, making folders on the way; returns the path. */
export function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

type ConfigError = Error & { code: string; problems?: readonly { field: string; reason: string }[] };

/** Asserts that `fn` throws (or rejects with) a DroverError with `code`, and returns it. */
export async function throwsCode(fn: () => unknown, code: string): Promise<ConfigError> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  return assertDroverError(caught, code) as ConfigError;
}

/** The problems of a DROVER_ERR_CONFIG_INVALID thrown by `fn`, as "field: reason" lines. */
export async function problemsOf(fn: () => unknown): Promise<string[]> {
  const error = await throwsCode(fn, "DROVER_ERR_CONFIG_INVALID");
  assert.ok(Array.isArray(error.problems), "the error has a problems list");
  return error.problems.map((problem) => `${problem.field}: ${problem.reason}`);
}
