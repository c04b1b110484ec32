// Runs node-client.ts in a process of its own.
import { runClient } from "./child.ts";
import type { NodeClientSpec } from "./node-client.ts";
import type { LoadResult } from "./result.ts";

const client = new URL("./node-client.ts", import.meta.url);

/** Runs the bench's own Node load client once. */
export function runNodeClient(spec: NodeClientSpec, signal?: AbortSignal): Promise<LoadResult> {
  return runClient<LoadResult>(
    client,
    spec,
    (spec.durationSeconds + spec.timeoutSeconds + 30) * 1000,
    signal,
  );
}
