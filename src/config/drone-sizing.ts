// Fits the services to the limits once sizing.ts has settled them: a drone's calls are worker records
// of the scoreboard (so droneConcurrency is at most workerLimit), each service's spare band gets the
// floor the worker sizing gives its own, and droneLimit, the scoreboard's drone slots, is worked out at
// start and kept for the master's life, as serverLimit is.
import { serverLimitThatFits } from "../scoreboard/index.ts";
import { defaultDroneLimit, defaultMaxSpareDrones, maxSpareDronesFloor } from "./defaults.ts";
import type { ServiceFields } from "./services.ts";
import { restartLocked } from "./sizing.ts";
import type { ConfigProblem } from "./types/problem.ts";
import type { ResolvedService } from "./types/service.ts";

export interface DroneSizingInput {
  readonly services: readonly ServiceFields[];
  /** As given; undefined for the default. */
  readonly droneLimit: number | undefined;
  /** The limits in force, as fitSizing settled them. */
  readonly serverLimit: number;
  readonly workerLimit: number;
}

export type DroneSizing =
  | {
      readonly ok: true;
      readonly services: readonly ResolvedService[];
      readonly droneLimit: number;
      readonly warnings: string[];
    }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

/** Fits the services and droneLimit; `previousDroneLimit` (the one in force) is given on a restart only. */
export function fitDrones(input: DroneSizingInput, previousDroneLimit?: number): DroneSizing {
  const warnings: string[] = [];
  const problems: ConfigProblem[] = [];
  const restart = previousDroneLimit !== undefined;
  const warn = (atStart: string, onRestart: string) => warnings.push(restart ? onRestart : atStart);

  const services = input.services.map((service, i): ResolvedService => {
    const at = `services[${i}]`;
    if (service.droneConcurrency > input.workerLimit) {
      problems.push({
        field: `${at}.droneConcurrency`,
        reason:
          `is above workerLimit of ${input.workerLimit}, got ${service.droneConcurrency}: each call a drone runs ` +
          "takes one of its worker slots in the scoreboard; lower droneConcurrency, or " +
          (restart ? "stop and start drover with a larger workerLimit" : "raise workerLimit"),
      });
    }
    // No more idle drones than maxDrones can be kept: a band above it would only ever be short.
    let { minSpareDrones } = service;
    if (minSpareDrones > service.maxDrones) {
      warn(
        `${at}.minSpareDrones of ${minSpareDrones} is above maxDrones of ${service.maxDrones}; ` +
          `lowering it to ${service.maxDrones}: the pool never has more idle drones than drones.`,
        `${at}.minSpareDrones of ${minSpareDrones} is above maxDrones; lowered to ${service.maxDrones}.`,
      );
      minSpareDrones = service.maxDrones;
    }
    const floor = maxSpareDronesFloor(minSpareDrones);
    let maxSpareDrones = service.maxSpareDrones ?? defaultMaxSpareDrones(minSpareDrones);
    if (maxSpareDrones < floor) {
      warn(
        `${at}.maxSpareDrones of ${maxSpareDrones} is not above minSpareDrones of ${minSpareDrones}; ` +
          `raising it to ${floor}, so that a drone is not started and retired again for every call.`,
        `${at}.maxSpareDrones of ${maxSpareDrones} is not above minSpareDrones; raised to ${floor}.`,
      );
      maxSpareDrones = floor;
    }
    return Object.freeze({ ...service, minSpareDrones, maxSpareDrones });
  });

  const needed = services.reduce((sum, service) => sum + service.maxDrones, 0);
  const droneLimit = restart
    ? keptDroneLimit(input.droneLimit, previousDroneLimit, needed, warnings, problems)
    : firstDroneLimit(input, needed, warnings, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, services: Object.freeze(services), droneLimit, warnings };
}

// At the first start: as given or the default, within what the scoreboard's 1 GiB holds beside the
// children's slots (a drone slot is the size of a child's: its process record and workerLimit workers).
function firstDroneLimit(
  input: DroneSizingInput,
  needed: number,
  warnings: string[],
  problems: ConfigProblem[],
): number {
  const room = Math.max(0, serverLimitThatFits(input.workerLimit) - input.serverLimit);
  let droneLimit = input.droneLimit ?? Math.min(defaultDroneLimit(needed), room);
  if (droneLimit > room) {
    warnings.push(
      `droneLimit of ${droneLimit} beside serverLimit of ${input.serverLimit} with workerLimit of ` +
        `${input.workerLimit} would need a scoreboard over 1 GiB; lowering it to ${room}. Lower workerLimit ` +
        "or serverLimit to allow more drones.",
    );
    droneLimit = room;
  }
  if (needed <= droneLimit) return droneLimit;
  const them = `the ${drones(needed)} the services may run at once (the sum of their maxDrones)`;
  problems.push({
    field: "droneLimit",
    reason:
      droneLimit < room
        ? `is ${droneLimit}, fewer than ${them}: raise it to ${needed} or more (${2 * needed} leaves room for ` +
          "a reload's new drones beside the old ones), or lower maxDrones"
        : `can be at most ${room}, the drone slots a 1 GiB scoreboard holds beside serverLimit of ` +
          `${input.serverLimit} with workerLimit of ${input.workerLimit}, fewer than ${them}: lower workerLimit ` +
          "or serverLimit, or lower maxDrones",
  });
  return droneLimit;
}

// On a restart: the one in force, whatever is given; the services must fit in it.
function keptDroneLimit(
  given: number | undefined,
  kept: number,
  needed: number,
  warnings: string[],
  problems: ConfigProblem[],
): number {
  // Not given, the default is worked out at the first start only, so keeping it needs no warning.
  if (given !== undefined && given !== kept) warnings.push(restartLocked("droneLimit", given, kept));
  if (needed > kept) {
    problems.push({
      field: "droneLimit",
      reason:
        `cannot change on a restart (the scoreboard is sized by it) and is ${kept}, fewer than the ${drones(needed)} ` +
        "the services may now run at once (the sum of their maxDrones): lower maxDrones, or stop and start " +
        "drover to apply a larger droneLimit (drover reload and drover restart keep the scoreboard)",
    });
  }
  return kept;
}

function drones(count: number): string {
  return count === 1 ? "1 drone" : `${count} drones`;
}
