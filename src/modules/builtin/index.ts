// The modules drover ships, enabled by name in the config: `modules: [{ use: "status" }]`. Each is
// loaded only when a config names it, so an unused one costs nothing (metrics pulls in prom-client).
import type { ModuleFactory } from "../load.ts";
import type { BuiltinModuleName } from "./names.ts";

const BUILTIN_MODULES: Record<BuiltinModuleName, () => Promise<{ default: ModuleFactory }>> = {
  status: () => import("./status/index.ts"),
  metrics: () => import("./metrics/index.ts"),
  shmCounter: () => import("./shm-counter/index.ts"),
};

/** The factory of a built-in module. */
export async function builtinModule(name: BuiltinModuleName): Promise<ModuleFactory> {
  return (await BUILTIN_MODULES[name]()).default;
}
