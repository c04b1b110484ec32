// What `drover init` finds in a project folder: its package.json, a drover config, an app, and whether
// any of its own JavaScript or TypeScript is CommonJS (which "type": "module" would break).
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { DroverError, ErrorCode } from "../../errors.ts";

/** Where the app usually is, after package.json's "main". */
const APP_CANDIDATES = [
  "app.ts",
  "app.js",
  "app.mjs",
  "app.cjs",
  "server.ts",
  "server.js",
  "server.mjs",
  "server.cjs",
  "index.ts",
  "index.js",
  "index.mjs",
  "src/app.ts",
  "src/server.ts",
  "src/index.ts",
];
const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]);
// Files whose module type the package's "type" decides (the others say it in their extension).
const TYPED_BY_PACKAGE = new Set([".js", ".jsx", ".ts", ".tsx"]);
const COMMONJS_CODE = /\brequire\s*\(|\bmodule\.exports\b|\bexports\.[A-Za-z_$][\w$]*\s*=/;
// The scan is for the project's own files: a bounded walk, with no dependency or hidden folder.
const MAX_SCANNED = 2_000;
const SCAN_BYTES = 64 * 1024;

export interface PackageJson {
  readonly path: string;
  /** Parsed; undefined when the file is missing. */
  readonly fields: Record<string, unknown> | undefined;
  /** Its text, to keep its indentation when it is rewritten. */
  readonly text: string | undefined;
}

/** The folder's package.json; throws DROVER_ERR_PACKAGE_JSON_INVALID, saying what to fix, when it cannot be used. */
export function readPackageJson(dir: string): PackageJson {
  const path = join(dir, "package.json");
  const refuse = (what: string) =>
    new DroverError(ErrorCode.PACKAGE_JSON_INVALID, `${path} ${what}: fix it, then run drover init again`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return { path, fields: undefined, text: undefined };
    throw refuse(`cannot be read (${(error as Error).message})`);
  }
  let fields: unknown;
  try {
    fields = JSON.parse(text);
  } catch (error) {
    throw refuse(`is not valid JSON (${(error as Error).message})`);
  }
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
    throw refuse("does not hold a JSON object");
  }
  return { path, fields: fields as Record<string, unknown>, text };
}

/** The drover config files already in `dir` (any drover.config.*). */
export function existingConfigs(dir: string): string[] {
  return entries(dir).filter((name) => /^drover\.config\.[a-z]+$/.test(name));
}

/** The app the project already has, relative to `dir` ("./server.js"), or undefined. */
export function existingApp(dir: string, pkg: PackageJson): string | undefined {
  const main = pkg.fields?.main;
  const candidates = [...(typeof main === "string" ? [main] : []), ...APP_CANDIDATES];
  for (const candidate of candidates) {
    const path = join(dir, candidate);
    if (!MODULE_EXTENSIONS.has(extname(path)) || !isFile(path)) continue;
    return `./${relative(dir, path)}`;
  }
  return undefined;
}

/** The first of the project's files that "type": "module" would break (CommonJS code), or undefined. */
export function commonJsFile(dir: string): string | undefined {
  let scanned = 0;
  const walk = (folder: string): string | undefined => {
    for (const entry of dirents(folder)) {
      if (scanned >= MAX_SCANNED) return undefined;
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        const found = walk(path);
        if (found !== undefined) return found;
      } else if (
        entry.isFile() &&
        TYPED_BY_PACKAGE.has(extname(entry.name)) &&
        !entry.name.endsWith(".d.ts")
      ) {
        scanned++;
        if (COMMONJS_CODE.test(head(path))) return relative(dir, path);
      }
    }
    return undefined;
  };
  return walk(dir);
}

function head(path: string): string {
  const buffer = Buffer.alloc(SCAN_BYTES);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    return buffer.toString("utf8", 0, readSync(fd, buffer, 0, SCAN_BYTES, 0));
  } catch {
    return "";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function dirents(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

export function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}
