// Why a child that dropped its privileges cannot load a file: the first folder on the way it may not
// enter, or the file it may not read. Said plainly instead of Node's "Cannot find module".
import { accessSync, constants } from "node:fs";
import { dirname, parse } from "node:path";
import type { ChildSpec } from "./spec.ts";

/** What stops this process from reading `path`, or undefined when nothing does. */
export function unreadableBecause(path: string, user: string): string | undefined {
  const folders: string[] = [];
  for (let folder = dirname(path); ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (folder === parse(folder).root) break;
  }
  for (const folder of folders) {
    try {
      accessSync(folder, constants.X_OK);
    } catch {
      return `${path} cannot be read by ${user}: the folder ${folder} does not let ${user} in; give that user access (chmod o+x, or a group), or put the app where it can be read`;
    }
  }
  try {
    accessSync(path, constants.R_OK);
  } catch {
    return `${path} cannot be read by ${user}: the file itself is not readable by ${user}; give that user read access`;
  }
  return undefined;
}

/**
 * Why the child's user cannot load the app or a module file, when that is why loading failed (Node
 * says "Cannot find module" for a folder it may not enter); undefined otherwise.
 */
export function unreadableFiles(spec: ChildSpec, error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (spec.uid === undefined || (code !== "ERR_MODULE_NOT_FOUND" && code !== "EACCES" && code !== "ENOENT")) {
    return undefined;
  }
  const user = spec.userName ?? `uid ${spec.uid}`;
  const files = [spec.app, ...spec.modules.map((module) => module.use).filter((use) => use.startsWith("/"))];
  for (const file of files) {
    const why = unreadableBecause(file, user);
    if (why) return why;
  }
  return undefined;
}
