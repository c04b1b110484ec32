// Importing the app module: in each child before it serves, and in `drover configtest`, which loads it
// without serving. A module-type mix-up (ES module code in a CommonJS package, or the other way round)
// is said as such, with the fix (DROVER_ERR_MODULE_TYPE); anything else is thrown as it came.
import { pathToFileURL } from "node:url";
import { DroverError, ErrorCode } from "../errors.ts";
import { moduleTypeProblem } from "../util/module-type.ts";
import { type AppDefinition, toAppDefinition } from "./define.ts";

/** The app `path` default-exports, checked (a request handler or defineApp's). */
export async function importApp(path: string): Promise<AppDefinition> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    const problem = moduleTypeProblem(path, error);
    if (problem === undefined) throw error;
    throw new DroverError(ErrorCode.MODULE_TYPE, `the app ${path} could not be loaded: ${problem}`, {
      cause: error,
    });
  }
  return toAppDefinition(module.default, path);
}
