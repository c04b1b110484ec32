// The bench app as drover runs it: each child builds the handler from the environment the master
// passes down (BENCH_APP, BENCH_HEAVY_ITERATIONS).
import { benchHandler } from "./handler.ts";

export default benchHandler(
  process.env.BENCH_APP ?? "hello",
  Number(process.env.BENCH_HEAVY_ITERATIONS ?? "0"),
);
