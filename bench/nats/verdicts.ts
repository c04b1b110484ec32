// The short reading under the tables: for each figure what its ratio means, and for a goal missed
// where drover's time went, from the CPU each side spent per call (the target's processes, the
// nats-server, the client), which moves far less with the neighbours than latency does.
import { fixed, ms, us, verdict } from "../shared/format.ts";
import type { GoalResult } from "../shared/results.ts";
import { HEAVY_EVERY, type NatsFigure } from "./figures.ts";
import type { NatsRow } from "./results.ts";
import { labelOf, WORKERS } from "./targets.ts";

interface FigureResult {
  readonly figure: NatsFigure;
  readonly rows: readonly NatsRow[];
  readonly goals: readonly GoalResult[];
}

const row = (result: FigureResult, target: string) => result.rows.find((r) => r.target === target);

/** Where the CPU per call went, `of` against `against`. */
function cpuSplit(of: NatsRow, against: NatsRow): string {
  return (
    `per call ${labelOf(of.target)} spent ${us(of.targetCpuUs)} µs of CPU in its processes against ` +
    `${us(against.targetCpuUs)} in the ${labelOf(against.target)}'s, the nats-server ${us(of.natsCpuUs)} against ` +
    `${us(against.natsCpuUs)}, the client ${us(of.clientCpuUs)} against ${us(against.clientCpuUs)}`
  );
}

/** CPU per call in every process a call touches: what bounds calls/s when the cores are the limit. */
const totalCpu = (r: NatsRow) => r.targetCpuUs + r.natsCpuUs + r.clientCpuUs;

function goalSentence(goal: GoalResult, what: string): string {
  return `${labelOf(goal.of ?? "drover")}'s ${what} is ${fixed(goal.value, 2)}× ${labelOf(goal.against)}'s (goal ${goal.ratio}×: ${verdict(goal)})`;
}

function roundTrip(result: FigureResult): string | undefined {
  const [goal] = result.goals;
  const drover = row(result, "drover");
  const bare = row(result, "bare");
  if (!goal || !drover || !bare) return undefined;
  const relay = row(result, "relay");
  const floor = relay
    ? ` The bare relay, that hop and nothing else, is ${fixed(relay.p50 / bare.p50, 2)}× the bare responder's ` +
      `(${us(relay.p50)} µs): the floor of the design, against which drover's p50 is ${fixed(drover.p50 / relay.p50, 2)}× ` +
      `and its processes spend ${us(drover.targetCpuUs - relay.targetCpuUs)} µs more CPU per call.`
    : "";
  const missed = goal.met
    ? ""
    : ` The ${us(drover.p50 - bare.p50)} µs more at the median are that hop and drover's work on each side of it: ${cpuSplit(drover, bare)}.`;
  return (
    `- **Round trip**: ${goalSentence(goal, "p50")}, ${us(drover.p50)} against ${us(bare.p50)} µs. drover's call ` +
    "makes one process hop more than the bare responder's: the master takes it from NATS, chooses an idle drone " +
    "and hands it over a pipe, and the drone publishes the result on its own connection; the bare responder answers " +
    `in the process that received the call.${missed}${floor}`
  );
}

// Two hosts of one drone, with the hand-off and without: where the fast calls waited.
function mixedHosts(result: FigureResult, callers: number, hosts: number): string | undefined {
  const [goal] = result.goals;
  const handing = row(result, goal?.of ?? "drover-hosts");
  const random = row(result, goal?.against ?? "drover-hosts-random");
  if (!goal || !handing || !random) return undefined;
  return (
    `- **Mixed load over ${hosts} hosts, ${callers} callers**: ${goalSentence(goal, "fast calls' p99")}, ` +
    `${ms(handing.p99)} against ${ms(random.p99)} ms. NATS hands each call to either master at random; without the ` +
    "hand-off a fast call that lands on the host whose drone is waiting on a slow call waits behind it, while " +
    "the other host's drone may be idle. With it, that master hands the call to the other when the other has " +
    "said its drone is idle, and hands on what waits in its backlog once it says so; a fast call waits behind a " +
    "slow one only when both drones are taken." +
    (goal.met
      ? ""
      : ` With ${callers} callers both drones are often taken at once, and a hand-off can only move a call to an idle drone.`)
  );
}

function mixed(result: FigureResult, callers: number, roundTripP99: number | undefined): string | undefined {
  const [goal] = result.goals;
  const drover = row(result, "drover");
  const group = row(result, "queue-group");
  if (!goal || !drover || !group) return undefined;
  // The share of each drone's wall time that the heavy calls held, and so how often both were busy.
  const busy = ((drover.callsPerSecond / HEAVY_EVERY) * drover.heavyP50) / 1e6 / WORKERS;
  const percent = (share: number) => `${fixed(share * 100, 0)}%`;
  const why =
    callers <= WORKERS
      ? ` With ${callers} callers there are never more calls out than drones, so drover queued no fast call: its ` +
        "fast tail is the wait for a core, one of the two running a heavy call much of the time and the other " +
        "shared by the nats-server, the master, the client and the machine's other work" +
        (roundTripP99 === undefined
          ? ""
          : ` (the sequential round trip, with no heavy call, has a p99 of ${ms(roundTripP99)} ms)`) +
        "; the queue group's is the fast calls that NATS put behind a heavy one."
      : ` With ${callers} callers the heavy calls held each drone about ${percent(busy)} of the time, so a fast ` +
        `call found both busy about ${percent(busy * busy)} of the time and waited in the backlog for one, ` +
        "enough for a p99 to see: idle-aware dispatch removes the tail only while a drone is nearly always idle " +
        "(research 5.4 found parity at 4 callers).";
  return (
    `- **Mixed load, ${callers} callers**: ${goalSentence(goal, "fast calls' p99")}, ${ms(drover.p99)} against ` +
    `${ms(group.p99)} ms. NATS hands each call to either responder at random, so a fast call that lands on the one ` +
    "running a heavy call waits for it; drover's master sends it to an idle drone, and queues it only when " +
    `both are busy.${goal.met ? "" : why}`
  );
}

function throughput(result: FigureResult, workMs: number | undefined): string | undefined {
  const group = row(result, "queue-group");
  if (!group) return undefined;
  const parts = result.goals.map((goal) => goalSentence(goal, "calls/s"));
  const missed = result.goals
    .filter((goal) => !goal.met)
    .flatMap((goal) => {
      const own = row(result, goal.of ?? "drover");
      if (!own) return [];
      return [
        `${cpuSplit(own, group)}: ${us(totalCpu(own))} µs in all against ${us(totalCpu(group))}; where the cores are the limit, calls/s go as its inverse: ` +
          `${labelOf(own.target)} at about ${fixed(totalCpu(group) / totalCpu(own), 2)}× the queue group's`,
      ];
    });
  if (workMs !== undefined) {
    return (
      `- **Throughput, ${workMs} ms calls**: ${parts.join("; ")}. With work in each call the cores go mostly to it in ` +
      "every target, and what drover adds per call (the hop through the master, the drone's wake-up) weighs " +
      `less than with a trivial call.${missed.length > 0 ? ` Where the time goes: ${missed.join("; ")}.` : ""}`
    );
  }
  return (
    `- **Throughput**: ${parts.join("; ")}. A responder takes every call the moment NATS delivers it, many per ` +
    "wake-up, in the process that read it; drover's master hands each call over a pipe to a drone, one at a " +
    `time by default (the prefork model), up to \`droneConcurrency\` with it set.` +
    (missed.length > 0 ? ` Where the time goes: ${missed.join("; ")}.` : "")
  );
}

export function whatItMeans(results: readonly FigureResult[]): string[] {
  const roundTripP99 = results
    .find((r) => r.figure.mode.kind === "sequential")
    ?.rows.find((r) => r.target === "drover")?.p99;
  const lines = results.flatMap((result) => {
    const mode = result.figure.mode;
    const text =
      mode.kind === "sequential"
        ? roundTrip(result)
        : mode.kind === "mixed"
          ? mode.hosts !== undefined
            ? mixedHosts(result, mode.callers, mode.hosts)
            : mixed(result, mode.callers, roundTripP99)
          : throughput(result, mode.workMs);
    return text ? [text] : [];
  });
  return [
    "Each ratio compares runs seconds apart in one round, on the same nats-server; absolute figures follow the " +
      "machine's load.",
    "",
    ...lines,
  ];
}
