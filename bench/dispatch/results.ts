// One sample per figure, target and round, with the CPU per call of the target's processes and the
// client; ../shared/results.ts makes a figure's rows and goals of them.
import { figureRows, type RowBase, type SampleBase } from "../shared/results.ts";
import type { CpuPerCall } from "./cpu.ts";
import type { Figure } from "./figures.ts";

export interface Sample extends SampleBase {
  /** CPU per call over the whole run (untimed calls included). */
  readonly cpu: CpuPerCall;
}

export interface Row extends RowBase {
  readonly serverCpuUs: number;
  readonly clientCpuUs: number;
}

export const rows = (figure: Figure, samples: readonly Sample[]): Row[] =>
  figureRows(figure, samples, (of) => ({
    serverCpuUs: of((s) => s.cpu.serverUs),
    clientCpuUs: of((s) => s.cpu.clientUs),
  }));
