// `hello` over keep-alive connections while the target restarts gracefully again and again: every
// failed request (reset, refused, timed out, non-2xx) counts. Only targets with a graceful reload run it.
import { setTimeout as delay } from "node:timers/promises";
import { helloKeepAlive } from "./hello.ts";
import type { Workload } from "./workload.ts";

// Reloads spread over the run: the first after a second, then at this interval until the end.
const RELOADS_PER_RUN = 5;

export const helloReload: Workload = {
  id: "reload",
  label: "hello, keep-alive, during graceful reloads",
  description: `keep-alive \`hello\` while the target is gracefully reloaded ${RELOADS_PER_RUN} times; every error counts`,
  app: "hello",
  mixed: false,
  needsReload: true,
  generatorName: (generator) => generator.name,
  async run(context) {
    const reload = context.reload;
    if (!reload) throw new Error("this target has no graceful reload");
    const interval = (context.durationSeconds * 1000) / (RELOADS_PER_RUN + 1);
    const load = helloKeepAlive.run(context);
    let reloads = 0;
    const reloading = (async () => {
      for (let i = 0; i < RELOADS_PER_RUN; i++) {
        await delay(interval, undefined, { signal: context.signal });
        await reload();
        reloads++;
      }
    })();
    const [result] = await Promise.all([load, reloading]);
    if (reloads < RELOADS_PER_RUN) throw new Error(`only ${reloads} of ${RELOADS_PER_RUN} reloads ran`);
    return result;
  },
};
