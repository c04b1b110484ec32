// Starting a master on the fixture app of test/master/fixtures/generations, and reading its pool from
// `drover status`.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildStatus, StatusReport } from "../../src/status/report.ts";
import { makeTempDir } from "../harness/temp.ts";
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

export const CONTROLLED_APP = fileURLToPath(new URL("../master/fixtures/controlled/app.ts", import.meta.url));
export const CONTROLLED_MODULE = fileURLToPath(
  new URL("../master/fixtures/controlled/module.ts", import.meta.url),
);

/** A master on the controlled app, and the switches its start-up obeys (see the fixture). */
export interface Controlled {
  readonly drover: RunningDrover;
  /** Puts the file `name` (holding `content`) in the control folder, or takes it away (false). */
  set(
    name:
      | "hold-init"
      | "hang-init"
      | "fail-init"
      | "crash-init"
      | "crash-ready"
      | "slow-exit"
      | "hang-exit"
      | "hang-postconfig",
    present: boolean,
    content?: string,
  ): void;
  stop(): Promise<void>;
}

/** `drover start` on the controlled app (test/master/fixtures/controlled), its module included. */
export async function startControlled(config: Record<string, unknown>): Promise<Controlled> {
  const dir = makeTempDir("drover-test-controlled-");
  try {
    const drover = await startDrover({
      app: "",
      config: { app: CONTROLLED_APP, modules: [{ use: CONTROLLED_MODULE }], ...config },
      env: { CONTROLLED_DIR: dir.path },
    });
    return {
      drover,
      set: (name, present, content = "") =>
        present
          ? writeFileSync(join(dir.path, name), content)
          : rmSync(join(dir.path, name), { force: true }),
      stop: async () => {
        try {
          await drover.stop();
        } finally {
          dir.remove();
        }
      },
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
}
