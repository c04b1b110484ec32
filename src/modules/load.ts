// Loading the modules a config names: `{ use: "status", ...options }` for a built-in module, or
// `{ use: "./my-module.ts", ...options }`, whose file's default export is a module (defineModule) or a
// function that takes the options and returns one.
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import type { ModuleSpec } from "../config/types/values.ts";
import { DroverError, ErrorCode } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import { builtinModule } from "./builtin/index.ts";
import { BUILTIN_MODULE_NAMES, isBuiltinModule } from "./builtin/names.ts";
import type { HookLogger } from "./context.ts";
import { type DroverModule, defineModule, isDefinedModule, type ModuleDefinition } from "./define.ts";

/** A module factory: gets the options written beside `use` in the config. */
export type ModuleFactory = (options: Readonly<Record<string, unknown>>) => DroverModule | ModuleDefinition;

/** Imports each module of the config, in order. Throws DROVER_ERR_MODULE_INVALID naming the one that fails. */
export async function loadModules(specs: readonly ModuleSpec[]): Promise<DroverModule[]> {
  const modules: DroverModule[] = [];
  for (const [index, { use, ...options }] of specs.entries()) {
    const where = `modules[${index}] ("${use}")`;
    let exported: unknown;
    if (isBuiltinModule(use)) {
      exported = await builtinModule(use);
    } else if (!isAbsolute(use)) {
      throw new DroverError(
        ErrorCode.MODULE_INVALID,
        `${where} is not a module drover knows: use a built-in module (${BUILTIN_MODULE_NAMES.join(", ")}), or name a module file by its path, such as "./my-module.ts"`,
      );
    } else {
      try {
        exported = ((await import(pathToFileURL(use).href)) as { default?: unknown }).default;
      } catch (cause) {
        throw new DroverError(
          ErrorCode.MODULE_INVALID,
          `${where} could not be loaded: ${(cause as Error).message}`,
          {
            cause,
          },
        );
      }
    }
    const made =
      typeof exported === "function" ? makeModule(exported as ModuleFactory, options, where) : exported;
    if (isDefinedModule(made)) modules.push(made);
    else if (typeof made === "object" && made !== null) modules.push(defineModule(made as ModuleDefinition));
    else {
      throw new DroverError(
        ErrorCode.MODULE_INVALID,
        `${where} must default-export defineModule({ name, hooks }) or a function of its options returning one`,
      );
    }
  }
  return modules;
}

/**
 * Imports the code of the built-in modules that `specs` names, without making them (no option is read,
 * no factory runs): a child does this before it drops privileges, as drover's own files may be
 * unreadable by the children's user. loadModules then finds them loaded.
 */
export async function importBuiltinModules(specs: readonly ModuleSpec[]): Promise<void> {
  for (const { use } of specs) if (isBuiltinModule(use)) await builtinModule(use);
}

// A factory refuses bad options by throwing; say which entry of the config they came from.
function makeModule(factory: ModuleFactory, options: Record<string, unknown>, where: string): unknown {
  try {
    return factory(Object.freeze(options));
  } catch (cause) {
    const code = cause instanceof DroverError ? cause.code : ErrorCode.MODULE_INVALID;
    throw new DroverError(code, `${where}: ${(cause as Error).message}`, { cause });
  }
}

/** The hook logger over drover's logger (pino takes the fields first). */
export function hookLogger(log: Logger): HookLogger {
  return {
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
    debug: (message, fields) => log.debug(fields ?? {}, message),
  };
}
