// The service's own hooks, bounded as every hook in a drover process is (hookTimeoutMs): childInit and
// childExit run among the modules' (the service's childInit last, its childExit first, as an app's do),
// onConnect and onDisconnect when a session opens and ends.
import { DroverError, ErrorCode } from "../errors.ts";
import { type DroverModule, defineModule } from "../modules/define.ts";
import type { DroneContext, ServiceDefinition } from "../service/define.ts";
import { withDeadline } from "../util/deadline.ts";

/** The service's childInit and childExit as a module for the drone's hook registry. */
export function serviceModule(definition: ServiceDefinition, context: DroneContext): DroverModule {
  const { childInit, childExit } = definition;
  return defineModule({
    name: "service",
    hooks: {
      ...(childInit ? { childInit: () => childInit(context) } : {}),
      ...(childExit ? { childExit: () => childExit(context) } : {}),
    },
    order: {
      ...(childInit ? { childInit: { position: "last" } } : {}),
      ...(childExit ? { childExit: { position: "first" } } : {}),
    },
  });
}

/** Runs `hook` (sync or async); rejects with what it threw, or with DROVER_ERR_HOOK_TIMEOUT after `timeoutMs`. */
export function boundedHook(what: string, timeoutMs: number, hook: () => unknown): Promise<unknown> {
  return withDeadline(
    Promise.resolve().then(hook),
    timeoutMs,
    () =>
      new DroverError(
        ErrorCode.HOOK_TIMEOUT,
        `${what} did not finish within ${timeoutMs / 1000} s (hookTimeout): it was given up; make it finish sooner, or raise hookTimeout`,
      ),
  );
}
