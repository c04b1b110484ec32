// What the bench needs to know about a peer: how to start it serving one of the bench apps on a port,
// and how to stop it leaving nothing behind. Readiness (HTTP answers from every worker) is checked by
// the bench itself, the same way for every target.

/** The bench apps, served by bench/apps/server.ts. */
export type AppName = "hello" | "mixed";

export interface StartSpec {
  readonly app: AppName;
  readonly port: number;
  /** Processes that serve requests; a single-process target ignores it. */
  readonly workers: number;
  /** Environment for the server processes: BENCH_APP, BENCH_PORT, BENCH_WORKERS, the run marker... */
  readonly env: NodeJS.ProcessEnv;
}

export interface RunningTarget {
  /** How many distinct processes must answer before the target counts as ready. */
  readonly workers: number;
  /** True once the target died on its own (a start that failed, a crash during a run). */
  isDead(): boolean;
  /** What it printed, for error messages. */
  output(): string;
  /** Stops every process the target started and proves they are gone; idempotent. */
  stop(): Promise<void>;
  /** A graceful restart (new workers replace the old), for targets that have one. */
  reload?(): Promise<void>;
}

export interface Target {
  /** The id used on the command line and in the JSON results. */
  readonly id: string;
  /** The label in the result tables. */
  readonly label: string;
  /** One sentence for docs/benchmarks.md. */
  readonly description: string;
  /** Its running instances have reload(): the reload workload runs against it. */
  readonly reloadable?: boolean;
  start(spec: StartSpec): Promise<RunningTarget>;
}
