// The names of the built-in modules, apart from their code, so that the config check can know them.
export const BUILTIN_MODULE_NAMES = ["status", "metrics", "shmCounter"] as const;

export type BuiltinModuleName = (typeof BUILTIN_MODULE_NAMES)[number];

export function isBuiltinModule(name: string): name is BuiltinModuleName {
  return (BUILTIN_MODULE_NAMES as readonly string[]).includes(name);
}
