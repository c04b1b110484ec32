// The registry of bench targets, in the order they run within a round. Adding a peer (or drover itself)
// is one file in this folder exporting a Target, plus one line here.
import { clusterNone } from "./cluster-none.ts";
import { clusterRoundRobin } from "./cluster-rr.ts";
import { droverNoExtendedStatus, droverNoSlowLane, droverPool } from "./drover.ts";
import { droverOffload, droverOffloadNice } from "./drover-offload.ts";
import { pm2Cluster } from "./pm2.ts";
import { reusePort } from "./reuseport.ts";
import { single } from "./single.ts";
import type { Target } from "./target.ts";

export const targets: readonly Target[] = [
  clusterRoundRobin,
  clusterNone,
  reusePort,
  pm2Cluster,
  single,
  droverPool,
  droverNoExtendedStatus,
  droverNoSlowLane,
  droverOffload,
  droverOffloadNice,
];

/** The default baseline: what most Node services run today. */
export const DEFAULT_BASELINE = clusterRoundRobin.id;

/** Looks a target up by id; throws naming the known ids. */
export function targetById(id: string): Target {
  const found = targets.find((target) => target.id === id);
  if (!found) throw new Error(`unknown target "${id}"; known: ${targets.map((t) => t.id).join(", ")}`);
  return found;
}
