// The bench app of the offload targets, as drover runs it: with BENCH_APP=mixed, `/heavy` goes to the
// `burn` service through the child's client of the dispatch pool (context.client, connected before
// childInit); any other app is served as by drover-app.ts.
import { defineApp } from "../../src/app/define.ts";
import { BURN_SERVICE } from "./burn-service.ts";
import { answeringPid, benchHandler } from "./handler.ts";
import { type BurnClient, offloadedMixed } from "./offload.ts";

let burnService: BurnClient | undefined;

const app = process.env.BENCH_APP ?? "hello";

export default defineApp({
  childInit(context) {
    if (!context.client) {
      throw new Error(
        `drover-offload-app: the config has no services; add { name: "${BURN_SERVICE}", module: "bench/apps/burn-service.ts" }`,
      );
    }
    burnService = context.client.service(BURN_SERVICE);
  },
  handler:
    app === "mixed"
      ? answeringPid(
          offloadedMixed(() => {
            if (!burnService) throw new Error("drover-offload-app: childInit has not run");
            return burnService;
          }),
        )
      : benchHandler(app, 0),
});
