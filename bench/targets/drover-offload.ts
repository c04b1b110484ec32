// drover with the heavy work of `mixed` handed to the dispatch pool: HTTP children as in the `drover`
// target, plus a `burn` service whose drones run `/heavy`'s loop. As many drones as HTTP children
// (the bench's --workers, one per core by default): with the heavy work elsewhere an HTTP child mostly
// waits, so the cores go to the drones, and the children only need to be there when a request comes.
// min = max drones and a spare band that never retires one keep the sizing fixed for a run.
import { fileURLToPath } from "node:url";
import { BURN_SERVICE } from "../apps/burn-service.ts";
import { droverTarget } from "./drover.ts";
import type { StartSpec } from "./target.ts";

const APP = fileURLToPath(new URL("../apps/drover-offload-app.ts", import.meta.url));
const SERVICE = fileURLToPath(new URL("../apps/burn-service.ts", import.meta.url));

/** The niceness of the drones in `drover-offload-nice`: well below the HTTP children, not starved. */
export const OFFLOAD_DRONE_NICE = 10;

function burnService(droneNice: number) {
  return (spec: StartSpec) => ({
    services: [
      {
        name: BURN_SERVICE,
        module: SERVICE,
        minDrones: spec.workers,
        maxDrones: spec.workers,
        minSpareDrones: 0,
        maxSpareDrones: spec.workers,
        droneNice,
      },
    ],
  });
}

export const droverOffload = droverTarget(
  "drover-offload",
  "drover (offload)",
  "`drover start` with `/heavy` sent to a service: one HTTP child and one drone per worker",
  burnService(0),
  APP,
);

export const droverOffloadNice = droverTarget(
  "drover-offload-nice",
  `drover (offload, droneNice ${OFFLOAD_DRONE_NICE})`,
  `the same, its drones at CPU niceness ${OFFLOAD_DRONE_NICE}: the kernel runs the HTTP children first`,
  burnService(OFFLOAD_DRONE_NICE),
  APP,
);
