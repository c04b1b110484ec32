// Importing a service's module: in each drone before it serves, and in `drover configtest`, which
// loads it without serving. It must default-export defineService(...); anything else, or a module that
// cannot load, is said with the service's name and module path.
import { pathToFileURL } from "node:url";
import { type ServiceDefinition, toServiceDefinition } from "./define.ts";

/** The definition service `name`'s `module` default-exports, checked. */
export async function importService(name: string, module: string): Promise<ServiceDefinition> {
  const where = `the module of service "${name}" (${module})`;
  let exported: unknown;
  try {
    exported = ((await import(pathToFileURL(module).href)) as { default?: unknown }).default;
  } catch (cause) {
    throw new Error(`${where} could not be loaded: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
  }
  return toServiceDefinition(exported, where);
}
