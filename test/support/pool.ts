// Starting a master on the fixture app of test/master/fixtures/generations, and reading its pool from
// `drover status`.
import { fileURLToPath } from "node:url";
import type { ChildStatus, StatusReport } from "../../src/status/report.ts";
import { type RunningDrover, startDrover } from "./drover.ts";

export const FIXTURE_APP = fileURLToPath(new URL("../master/fixtures/generations/app.ts", import.meta.url));

/** `drover start` on the fixture app (absolute path, so its imports resolve) with these fields. */
export function startFixture(
  config: Record<string, unknown>,
  options: { env?: NodeJS.ProcessEnv; waitReady?: boolean } = {},
): Promise<RunningDrover> {
  return startDrover({ app: "", config: { app: FIXTURE_APP, ...config }, ...options });
}

/** The children that take new connections: of the current generation and not draining. */
export function serving(status: StatusReport): ChildStatus[] {
  return status.children.filter((child) => !child.quiescing && child.generation === status.generation);
}

export function pids(children: readonly ChildStatus[]): number[] {
  return children.map((child) => child.pid).sort((a, b) => a - b);
}

/** "gen=2 pid=1234 slow" → { generation: 2, pid: 1234 } */
export function servedBy(body: string): { generation: number; pid: number } {
  const match = body.match(/^gen=(-?\d+) pid=(\d+)/);
  if (!match) throw new Error(`not a reply of the fixture app: ${JSON.stringify(body)}`);
  return { generation: Number(match[1]), pid: Number(match[2]) };
}
