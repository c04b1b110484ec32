// Fits the pool's sizes to each other and to drover's limits, in the order Apache's worker MPM does
// at config check and at run start. Values out of range are not refused: each is moved to the
// nearest allowed value and a warning says which field, what was given and what is used. As in the
// MPM, a warning at start-up says more (the operator is at the console) than one on a restart.
import { MAX_SERVER_LIMIT, MAX_WORKER_LIMIT, serverLimitThatFits } from "../scoreboard/index.ts";
import {
  defaultMaxRequestWorkers,
  defaultMaxSpareWorkers,
  defaultMinSpareWorkers,
  defaultStartServers,
  maxSpareFloor,
} from "./defaults.ts";

/** The sizes as given, the fixed ones already defaulted; undefined ones get defaults that fit. */
export interface SizingInput {
  readonly serverLimit: number;
  readonly workerLimit: number;
  readonly workersPerChild: number;
  readonly maxRequestWorkers: number | undefined;
  readonly startServers: number | undefined;
  readonly minSpareWorkers: number | undefined;
  readonly maxSpareWorkers: number | undefined;
}

export interface Sizing {
  readonly serverLimit: number;
  readonly workerLimit: number;
  readonly workersPerChild: number;
  readonly maxRequestWorkers: number;
  readonly daemonsLimit: number;
  readonly startServers: number;
  readonly minSpareWorkers: number;
  readonly maxSpareWorkers: number;
}

/** The limits fixed at first start: the scoreboard is sized by them and cannot grow on a restart. */
export interface FixedLimits {
  readonly serverLimit: number;
  readonly workerLimit: number;
}

/** Adjusts the sizes; `first` (the limits in force) is given on a restart and only then. */
export function fitSizing(input: SizingInput, first?: FixedLimits): { sizing: Sizing; warnings: string[] } {
  const warnings: string[] = [];
  const restart = first !== undefined;
  const warn = (atStart: string, onRestart: string) => warnings.push(restart ? onRestart : atStart);

  const workerLimit = fitLimit("workerLimit", input.workerLimit, MAX_WORKER_LIMIT, "workers per child", warn);
  if (first !== undefined && workerLimit !== first.workerLimit) {
    warnings.push(restartLocked("workerLimit", workerLimit, first.workerLimit));
  }
  const fixedWorkerLimit = first?.workerLimit ?? workerLimit;

  let serverLimit = fitLimit("serverLimit", input.serverLimit, MAX_SERVER_LIMIT, "children", warn);
  // At the first start only: on a restart serverLimit is kept from it anyway.
  const fits = serverLimitThatFits(workerLimit);
  if (!restart && serverLimit > fits) {
    warnings.push(
      `serverLimit of ${serverLimit} with workerLimit of ${workerLimit} would need a scoreboard over 1 GiB; ` +
        `lowering it to ${fits}. Lower workerLimit to allow more children.`,
    );
    serverLimit = fits;
  }
  if (first !== undefined && serverLimit !== first.serverLimit) {
    warnings.push(restartLocked("serverLimit", serverLimit, first.serverLimit));
  }
  const fixedServerLimit = first?.serverLimit ?? serverLimit;

  let workersPerChild = input.workersPerChild;
  if (workersPerChild > fixedWorkerLimit) {
    warn(
      `workersPerChild of ${workersPerChild} is above workerLimit of ${fixedWorkerLimit}; lowering it to ` +
        `${fixedWorkerLimit}. Raise workerLimit to allow more.`,
      `workersPerChild of ${workersPerChild} is above workerLimit of ${fixedWorkerLimit}; lowered to match.`,
    );
    workersPerChild = fixedWorkerLimit;
  } else if (workersPerChild < 1) {
    warn(
      `workersPerChild of ${workersPerChild} is not allowed; raising it to 1.`,
      `workersPerChild of ${workersPerChild} is not allowed; raised to 1.`,
    );
    workersPerChild = 1;
  }

  let maxRequestWorkers =
    input.maxRequestWorkers ?? defaultMaxRequestWorkers(fixedServerLimit, workersPerChild);
  if (maxRequestWorkers < workersPerChild) {
    warn(
      `maxRequestWorkers of ${maxRequestWorkers} is below workersPerChild of ${workersPerChild}; raising it ` +
        `to ${workersPerChild}, since a single child already serves that many connections.`,
      `maxRequestWorkers of ${maxRequestWorkers} is below workersPerChild of ${workersPerChild}; raised to match.`,
    );
    maxRequestWorkers = workersPerChild;
  }

  let daemonsLimit = Math.floor(maxRequestWorkers / workersPerChild);
  if (maxRequestWorkers % workersPerChild !== 0) {
    const multiple = daemonsLimit * workersPerChild;
    warn(
      `maxRequestWorkers of ${maxRequestWorkers} is not a multiple of workersPerChild of ${workersPerChild}; ` +
        `lowering it to ${multiple}, the nearest multiple below, which allows at most ${daemonsLimit} children.`,
      `maxRequestWorkers of ${maxRequestWorkers} is not a multiple of workersPerChild of ${workersPerChild}; ` +
        `lowered to ${multiple}.`,
    );
    maxRequestWorkers = multiple;
  }

  if (daemonsLimit > fixedServerLimit) {
    const most = fixedServerLimit * workersPerChild;
    warn(
      `maxRequestWorkers of ${maxRequestWorkers} would need ${daemonsLimit} children, more than serverLimit ` +
        `of ${fixedServerLimit}; lowering it to ${most}. Raise serverLimit to allow more.`,
      `maxRequestWorkers of ${maxRequestWorkers} would need ${daemonsLimit} children, more than serverLimit ` +
        `of ${fixedServerLimit}; lowered to ${most}.`,
    );
    daemonsLimit = fixedServerLimit;
    maxRequestWorkers = most;
  }

  let startServers = input.startServers ?? defaultStartServers(daemonsLimit);
  if (startServers < 1) {
    warn(
      `startServers of ${startServers} is not allowed; raising it to 1.`,
      `startServers of ${startServers} is not allowed; raised to 1.`,
    );
    startServers = 1;
  } else if (startServers > daemonsLimit) {
    warn(
      `startServers of ${startServers} is more than the ${daemonsLimit} children allowed ` +
        `(maxRequestWorkers / workersPerChild); starting ${daemonsLimit}.`,
      `startServers of ${startServers} is more than the ${daemonsLimit} children allowed; lowered to match.`,
    );
    startServers = daemonsLimit;
  }

  let minSpareWorkers = input.minSpareWorkers ?? defaultMinSpareWorkers(workersPerChild);
  if (minSpareWorkers < 1) {
    warn(
      `minSpareWorkers of ${minSpareWorkers} is not allowed; raising it to 1. With no spare workers kept, ` +
        "new connections would wait for a child to start.",
      `minSpareWorkers of ${minSpareWorkers} is not allowed; raised to 1.`,
    );
    minSpareWorkers = 1;
  }

  const floor = maxSpareFloor(minSpareWorkers, workersPerChild);
  let maxSpareWorkers =
    input.maxSpareWorkers ?? defaultMaxSpareWorkers(workersPerChild, startServers, minSpareWorkers);
  if (maxSpareWorkers < floor) {
    warn(
      `maxSpareWorkers of ${maxSpareWorkers} is below minSpareWorkers + workersPerChild + 1 (${floor}); raising ` +
        `it to ${floor}, so that starting or retiring one child cannot swing the pool past the other bound.`,
      `maxSpareWorkers of ${maxSpareWorkers} is below minSpareWorkers + workersPerChild + 1; raised to ${floor}.`,
    );
    maxSpareWorkers = floor;
  }

  return {
    sizing: {
      serverLimit: fixedServerLimit,
      workerLimit: fixedWorkerLimit,
      workersPerChild,
      maxRequestWorkers,
      daemonsLimit,
      startServers,
      minSpareWorkers,
      maxSpareWorkers,
    },
    warnings,
  };
}

// serverLimit and workerLimit: at least 1, at most the ceiling the scoreboard allows.
function fitLimit(
  field: string,
  value: number,
  ceiling: number,
  what: string,
  warn: (atStart: string, onRestart: string) => void,
): number {
  if (value > ceiling) {
    warn(
      `${field} of ${value} is above drover's ceiling of ${ceiling} ${what}; lowering it to ${ceiling}.`,
      `${field} of ${value} is above the ceiling of ${ceiling}; lowered to match.`,
    );
    return ceiling;
  }
  if (value < 1) {
    warn(
      `${field} of ${value} is not allowed; raising it to 1.`,
      `${field} of ${value} is not allowed; raised to 1.`,
    );
    return 1;
  }
  return value;
}

/** The warning for a limit fixed at the first start that a restart asks to change. */
export function restartLocked(field: string, value: number, kept: number): string {
  return (
    `${field} cannot change on a restart (the scoreboard is sized by it): keeping ${kept}, ` +
    `ignoring the new ${value}. Stop and start drover to apply it.`
  );
}
