// The fallback generator when wrk is not installed: autocannon (npm), in a child process.
import { runClient } from "./child.ts";
import type { LoadResult, LoadSpec } from "./result.ts";

const client = new URL("./autocannon-client.ts", import.meta.url);

/** Runs autocannon once with `spec`. */
export function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const { signal, ...payload } = spec;
  return runClient<LoadResult>(client, payload, (spec.durationSeconds + 30) * 1000, signal);
}
