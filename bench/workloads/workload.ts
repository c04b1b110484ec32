// A workload: which bench app the targets serve, and how load is driven against it.
import type { Generator } from "../load/generator.ts";
import type { LoadResult } from "../load/result.ts";
import type { AppName } from "../targets/target.ts";

export interface LoadContext {
  readonly port: number;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly timeoutSeconds: number;
  /** The HTTP generator chosen for this bench run (wrk or autocannon). */
  readonly generator: Generator;
  readonly signal: AbortSignal;
  /** The target's graceful restart, when it has one. */
  readonly reload?: () => Promise<void>;
}

export interface Workload {
  readonly id: string;
  readonly label: string;
  /** One sentence for docs/benchmarks.md. */
  readonly description: string;
  readonly app: AppName;
  /** True when `latency` holds the fast requests only and `heavy` is filled. */
  readonly mixed: boolean;
  /** Runs only against reloadable targets. */
  readonly needsReload?: boolean;
  /** Which program drives this workload with the given HTTP generator (for the report). */
  generatorName(generator: Generator): string;
  run(context: LoadContext): Promise<LoadResult>;
}
