// One sample per figure, target and round, with the heavy calls' p50 of a mixed run and the CPU per
// call of the target, the nats-server and the client; ../shared/results.ts makes a figure's rows and
// goals of them.
import { figureRows, type RowBase, type SampleBase } from "../shared/results.ts";
import type { NatsFigure } from "./figures.ts";

export interface NatsSample extends SampleBase {
  /** Mixed only: the CPU-bound calls' p50 (µs) and how many were timed; p50 and p99 are the fast calls'. */
  readonly heavyP50?: number;
  readonly heavyCalls?: number;
  /** CPU µs per call (untimed calls included): the target's processes, the nats-server, the bench. */
  readonly cpu: { readonly targetUs: number; readonly natsUs: number; readonly clientUs: number };
}

export interface NatsRow extends RowBase {
  readonly heavyP50: number;
  readonly targetCpuUs: number;
  readonly natsCpuUs: number;
  readonly clientCpuUs: number;
}

export const natsRows = (figure: NatsFigure, samples: readonly NatsSample[]): NatsRow[] =>
  figureRows(figure, samples, (of) => ({
    heavyP50: of((s) => s.heavyP50),
    targetCpuUs: of((s) => s.cpu.targetUs),
    natsCpuUs: of((s) => s.cpu.natsUs),
    clientCpuUs: of((s) => s.cpu.clientUs),
  }));
