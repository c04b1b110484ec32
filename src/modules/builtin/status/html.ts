// Pieces of the HTML page that children and drones share: escaping, a grid row, the generation marker.
import { formatSeconds } from "./format.ts";
import type { WorkerStatus } from "./page-report.ts";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One line of the grid: the slot, then a letter per worker slot, busy ones in bold (as mod_status). */
export function gridRow(process: {
  readonly slot: number;
  readonly pid: number;
  readonly oldGeneration: boolean;
  readonly workers: readonly WorkerStatus[];
}): string {
  const letters = process.workers
    .map((w) => (w.busy ? `<b>${escapeHtml(w.letter)}</b>` : escapeHtml(w.letter)))
    .join("");
  return (
    `<div class="row${process.oldGeneration ? " old" : ""}" data-slot="${process.slot}" data-pid="${process.pid}">` +
    `<span class="slot">${process.slot}</span><span class="letters">${letters}</span></div>`
  );
}

/** Why a process takes no new connection or call: its generation is old, or it was told to drain. */
export function marker(process: { readonly oldGeneration: boolean; readonly quiescing: boolean }): string {
  if (process.oldGeneration) return ` <span class="marker" title="older generation: draining">old</span>`;
  if (process.quiescing)
    return ` <span class="marker" title="draining: takes no new connection">draining</span>`;
  return "";
}

/** The requests (or calls) running now, each with how long it has run. */
export function currentRequests(workers: readonly WorkerStatus[]): string {
  return workers
    .filter((w) => w.inProgress && w.request !== "")
    .map((w) => {
      const age = w.requestAgeMs === null ? "" : ` (${formatSeconds(w.requestAgeMs)})`;
      return `<code>${escapeHtml(w.request)}${age}</code>`;
    })
    .join("");
}
