// Finding and loading config files: JSON is read and parsed; TypeScript and JavaScript are imported
// and their default export taken. Loading only reads: checkConfig judges the values.
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DroverError, ErrorCode } from "../errors.ts";
import { moduleTypeProblem } from "../util/module-type.ts";
import { ConfigLoadError } from "./errors.ts";

/** The names findConfigFile looks for, in order. */
export const CONFIG_FILE_NAMES = [
  "drover.config.ts",
  "drover.config.js",
  "drover.config.mjs",
  "drover.config.json",
] as const;

const IMPORTED = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];

export interface LoadedConfig {
  /** Absolute path of the file. */
  readonly file: string;
  /** The file's folder, where the config's relative paths start. */
  readonly baseDir: string;
  /** The file's content (its default export), not yet checked. */
  readonly input: unknown;
}

/** The first of CONFIG_FILE_NAMES found in `dir`, as an absolute path, or undefined if none is there. */
export function findConfigFile(dir: string): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const file = resolve(dir, name);
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
  }
  return undefined;
}

// Each import gets a new URL, or a reload would be handed the module cached by the first load.
let loads = 0;

/**
 * Loads a config file (.ts, .mts, .cts, .js, .mjs, .cjs or .json). Throws DROVER_ERR_CONFIG_LOAD,
 * naming the file and the cause, when it cannot be found, read, parsed or imported. Every call reads
 * the file afresh (for a reload); files the config itself imports are cached by Node as usual.
 */
export async function loadConfigFile(path: string): Promise<LoadedConfig> {
  const file = resolve(path);
  const extension = extname(file);
  if (extension !== ".json" && !IMPORTED.includes(extension)) {
    throw new ConfigLoadError(
      file,
      `has the extension "${extension}", which drover does not load: use .ts, .js, .mjs or .json`,
    );
  }
  const stat = statFile(file);
  if (!stat.isFile())
    throw new ConfigLoadError(file, "is not a file: give the path of the config file itself");
  const input = extension === ".json" ? readJson(file) : await importDefault(file);
  return { file, baseDir: dirname(file), input };
}

function statFile(file: string) {
  try {
    return statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new ConfigLoadError(file, "was not found: check the path", error);
    }
    throw new ConfigLoadError(
      file,
      `could not be read (${code ?? String(error)}): check its permissions`,
      error,
    );
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigLoadError(
      file,
      `could not be read (${code ?? String(error)}): check its permissions`,
      error,
    );
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new ConfigLoadError(file, `is not valid JSON: ${(error as Error).message}`, error);
  }
}

async function importDefault(file: string): Promise<unknown> {
  // A CommonJS config is also cached by file name in require's cache, whatever the URL.
  delete createRequire(file).cache[file];
  let exports: Record<string, unknown>;
  try {
    exports = await import(`${pathToFileURL(file).href}?drover-load=${++loads}`);
  } catch (error) {
    const moduleType = moduleTypeProblem(file, error);
    if (moduleType !== undefined) {
      throw new DroverError(ErrorCode.MODULE_TYPE, `config file ${file} could not be loaded: ${moduleType}`, {
        cause: error,
      });
    }
    throw new ConfigLoadError(file, `could not be loaded: ${importFailure(file, error)}`, error);
  }
  if (!("default" in exports)) {
    throw new ConfigLoadError(
      file,
      'has no default export: end it with "export default defineConfig({ ... })" (or module.exports = { ... })',
    );
  }
  return exports.default;
}

function importFailure(file: string, error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ERR_UNKNOWN_FILE_EXTENSION" && /\.[cm]?ts$/.test(file)) {
    return (
      `Node ${process.version} does not load TypeScript by default: use Node 22.18 or later, ` +
      `or write the config as drover.config.js`
    );
  }
  if (error.name === "SyntaxError") {
    const where = syntaxErrorLocation(file, error);
    return `${error.name}: ${error.message}${where === undefined ? "" : ` at ${where}`}: fix the file`;
  }
  return `${error.name}: ${error.message}`;
}

// "file:line" for a syntax error. TypeScript's show in the stack; JavaScript's only `node --check` tells.
function syntaxErrorLocation(file: string, error: Error): string | undefined {
  const fromStack = locationLine(file, error.stack ?? "");
  if (fromStack !== undefined || /\.[cm]?ts$/.test(file)) return fromStack;
  const check = spawnSync(process.execPath, ["--check", file], { encoding: "utf8", timeout: 10_000 });
  return locationLine(file, check.stderr ?? "");
}

function locationLine(file: string, text: string): string | undefined {
  for (const line of text.split("\n")) {
    const number = /:(\d+)$/.exec(line)?.[1];
    if (number !== undefined && line.includes(file)) return `${file}:${number}`;
  }
  return undefined;
}
