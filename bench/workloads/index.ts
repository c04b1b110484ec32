// The registry of workloads, in the order they run within a round.
import { helloKeepAlive } from "./hello.ts";
import { helloClose } from "./hello-close.ts";
import { mixed } from "./mixed.ts";
import { helloReload } from "./reload.ts";
import type { Workload } from "./workload.ts";

export const workloads: readonly Workload[] = [helloKeepAlive, helloClose, mixed, helloReload];

/** Looks a workload up by id; throws naming the known ids. */
export function workloadById(id: string): Workload {
  const found = workloads.find((workload) => workload.id === id);
  if (!found) throw new Error(`unknown workload "${id}"; known: ${workloads.map((w) => w.id).join(", ")}`);
  return found;
}
