// What a figure bench (bench:dispatch, bench:nats) does around its measuring: a run id for the marker
// that every process it starts carries, Ctrl-C or TERM as an abort, a temp folder of its own, and at
// the end the proof that no process nor file of the run is left; then the facts of the machine, and
// the section on stdout (with --write, also between its markers in docs/benchmarks.md).
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { markedProcesses, sweep } from "../../scripts/leftovers.ts";
import { abortOnSignals } from "../cli.ts";
import { replaceBetween } from "../report/markers.ts";
import type { BenchFacts } from "./facts.ts";

const docsFile = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));

export interface BenchSpec {
  /** Its npm script, "bench:dispatch": names it in messages. */
  readonly script: string;
  /** Its file from the repo root, for the command line when npm did not start it. */
  readonly file: string;
  /** The environment variable whose value is the run id. */
  readonly marker: string;
  /** Not "drover-bench-": `npm run bench` removes the folders of that name that appear during its run. */
  readonly tmpPrefix: string;
  /** What the leftover check says it found when all is clean: "no process and no file". */
  readonly nothingLeft: string;
}

/** A run of the bench `spec` names: its clock and its load average start now, and Ctrl-C aborts it. */
export function benchSession(spec: BenchSpec) {
  const runId = randomUUID();
  const abort = abortOnSignals();
  const started = new Date();
  const loadAtStart = loadavg();
  return {
    runId,
    signal: abort.signal,
    loadAtStart,
    /**
     * `measure` with a new temp folder, then `stop` and the leftover check (which removes the folder).
     * Undefined when aborted: after an interruption it says so and sets exit code 130.
     */
    async run<T>(
      measure: (parentDir: string) => Promise<T>,
      stop: () => Promise<void>,
    ): Promise<T | undefined> {
      const parentDir = mkdtempSync(join(tmpdir(), spec.tmpPrefix));
      let result: T | undefined;
      try {
        result = await measure(parentDir);
      } catch (error) {
        if (!abort.signal.aborted) throw error;
        console.error(`${spec.script} interrupted: no results written`);
        process.exitCode = 130;
      } finally {
        await stop();
        checkLeftovers(spec, runId, parentDir);
      }
      return abort.signal.aborted ? undefined : result;
    },
    /** The command and the machine, as the run ends. */
    facts: (): Omit<BenchFacts, "rounds" | "calls" | "seconds" | "spin"> => ({
      command: commandLine(spec),
      date: started.toISOString(),
      nodeVersion: process.version,
      cores: availableParallelism(),
      cpuModel: cpus()[0]?.model.trim() ?? "unknown CPU",
      loadAtStart,
      loadAtEnd: loadavg(),
    }),
    /** Prints `section`; with `write`, also puts it between `start` and `end` in docs/benchmarks.md. */
    publish(section: string, write: boolean, start: string, end: string): void {
      console.log(`\n${section}`);
      if (!write) return;
      writeFileSync(docsFile, replaceBetween(readFileSync(docsFile, "utf8"), section, start, end));
      console.log(`\nupdated ${docsFile}`);
    },
  };
}

/** The command as a person would type it again. */
function commandLine({ script, file }: BenchSpec): string {
  const args = process.argv.slice(2).join(" ");
  if (process.env.npm_lifecycle_event === script) return `npm run ${script}${args ? ` -- ${args}` : ""}`;
  return `node ${file}${args ? ` ${args}` : ""}`;
}

/** Fails the run (and cleans up) if a process or a file of this run outlived its `finally`. */
function checkLeftovers(spec: BenchSpec, runId: string, parentDir: string): void {
  const processes = markedProcesses(spec.marker, runId);
  // Someone else's sweep of the temp folder may have taken it: nothing of ours is left there then.
  const files = existsSync(parentDir) ? readdirSync(parentDir) : [];
  sweep(processes, []);
  rmSync(parentDir, { recursive: true, force: true });
  if (processes.length + files.length > 0) {
    console.error(
      `${spec.script} left behind (now removed): processes ${processes.join(", ") || "none"}; ` +
        `files ${files.join(", ") || "none"}`,
    );
    process.exitCode = 1;
  } else {
    console.error(`leftover check: ${spec.nothingLeft} left behind`);
  }
}
