// nodeArgs: Node options for every child and drone (their execArgv), such as a heap limit or an APM
// agent's --import. Each is one string starting with "-", a value joined with "=". Options that would
// keep a child from serving are refused, each with its reason; what is left is tried on this Node
// (`node <options> --version` parses them all, runs no code and prints only the version), so a typo
// or a bad value is refused here rather than by every child of a new generation.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describeValue } from "./errors.ts";
import type { ConfigProblem } from "./types/problem.ts";

// How long trying the options on this Node may take; it parses them and exits.
const TRY_TIMEOUT_MS = 10_000;

const INSPECTOR =
  "an inspector on a fixed port: every child would open it on the same port (the first gets it, the others fail), and anyone who reaches it runs code in the child; use --inspect=0 (a free port for each child, printed in the log)";
const ANOTHER_JOB =
  "makes node do something else than run the child; give it to node itself, not to drover's children";

/** Options refused whatever their value, and why. */
const REFUSED: Readonly<Record<string, string>> = {
  "--inspect-brk":
    "stops each child before its first line until a debugger attaches: it could never be ready within childStartTimeout; use --inspect=0, or debug one process with `drover start --single` under node --inspect-brk",
  "--inspect-wait":
    "makes each child wait for a debugger before it runs: it could never be ready within childStartTimeout; use --inspect=0",
  "--watch":
    "makes node restart the child itself on a change, behind the master's back; use `drover start --watch`, which reloads gracefully",
  "--watch-path": "makes node restart the child itself on a change; use `drover start --watch`",
  "--test": ANOTHER_JOB,
  "--eval": ANOTHER_JOB,
  "-e": ANOTHER_JOB,
  "--print": ANOTHER_JOB,
  "-p": ANOTHER_JOB,
  "--check": ANOTHER_JOB,
  "-c": ANOTHER_JOB,
  "--interactive": ANOTHER_JOB,
  "-i": ANOTHER_JOB,
  "--run": ANOTHER_JOB,
  "--version": ANOTHER_JOB,
  "-v": ANOTHER_JOB,
  "--help": ANOTHER_JOB,
  "-h": ANOTHER_JOB,
  "--v8-options": ANOTHER_JOB,
  "--completion-bash": ANOTHER_JOB,
  "--prof-process": ANOTHER_JOB,
  "--build-snapshot": ANOTHER_JOB,
  "--permission":
    "turns on Node's permission model, which refuses what every child needs (drover's native addon, the inherited sockets, its worker thread)",
  "--experimental-permission": "turns on Node's permission model, which refuses what every child needs",
  "--no-addons": "forbids native addons, and every child needs drover's (the shared scoreboard)",
};

/** Options whose value is a port: refused unless it is 0 (a port of the system's choosing). */
const INSPECTOR_PORTS = new Set(["--inspect", "--inspect-port", "--debug-port"]);

/**
 * Options whose value names a file, and what a relative one becomes: a module ("./apm.js"; a bare
 * name is a package, found by Node from the working directory) becomes a file: URL or an absolute
 * path, an env file (any relative path) an absolute path.
 */
const FILE_VALUES: Readonly<Record<string, "module-url" | "module-path" | "file">> = {
  "--import": "module-url",
  "--loader": "module-url",
  "--experimental-loader": "module-url",
  "--require": "module-path",
  "--env-file": "file",
  "--env-file-if-exists": "file",
};

/** The options, checked, with relative file values starting from `baseDir`; [] after a problem. */
export function readNodeArgs(value: unknown, baseDir: string, problems: ConfigProblem[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push({
      field: "nodeArgs",
      reason: `must be an array of Node options, e.g. ["--max-old-space-size=512"], got ${describeValue(value)}`,
    });
    return [];
  }
  const before = problems.length;
  const args = value.map((arg: unknown, i) => readNodeArg(arg, `nodeArgs[${i}]`, baseDir, problems));
  if (problems.length > before) return [];
  const refusal = args.length > 0 ? tryOnNode(args) : undefined;
  if (refusal !== undefined) {
    problems.push({
      field: "nodeArgs",
      reason: `is refused by node (${refusal}): fix the option or its value`,
    });
    return [];
  }
  return args;
}

function readNodeArg(arg: unknown, field: string, baseDir: string, problems: ConfigProblem[]): string {
  if (typeof arg !== "string" || !/^-[^\s\0]/.test(arg) || arg === "--" || /[\0\n]/.test(arg)) {
    problems.push({
      field,
      reason: `must be one Node option starting with "-", its value after "=" ("--max-old-space-size=512"), got ${describeValue(arg)}`,
    });
    return "";
  }
  const equals = arg.indexOf("=");
  const name = (equals < 0 ? arg : arg.slice(0, equals)).replaceAll("_", "-");
  const given = equals < 0 ? undefined : arg.slice(equals + 1);
  const refused = REFUSED[name];
  if (refused !== undefined) {
    problems.push({ field, reason: `(${name}) ${refused}` });
    return "";
  }
  if (INSPECTOR_PORTS.has(name) && !isPortZero(given)) {
    problems.push({ field, reason: `(${arg}) opens ${INSPECTOR}` });
    return "";
  }
  if (name === "-r" || (given === undefined && name in FILE_VALUES)) {
    problems.push({
      field,
      reason: `(${arg}) takes its value in the same string: write "${name === "-r" ? "--require" : name}=<module>"`,
    });
    return "";
  }
  const kind = FILE_VALUES[name];
  if (kind === undefined || given === undefined || given === "" || isAbsolute(given)) return arg;
  if (kind !== "file" && !/^\.{1,2}\//.test(given)) return arg;
  const file = resolve(baseDir, given);
  if (name !== "--env-file-if-exists" && !statSync(file, { throwIfNoEntry: false })?.isFile()) {
    problems.push({
      field,
      reason: `(${arg}) names ${file}, which is not a file: check the path (a relative one starts from ${baseDir})`,
    });
    return "";
  }
  return `${name}=${kind === "module-url" ? pathToFileURL(file).href : file}`;
}

// "--inspect" alone is 127.0.0.1:9229; "--inspect=0" and "--inspect=host:0" let the system choose.
function isPortZero(value: string | undefined): boolean {
  if (value === undefined) return false;
  const port = value.slice(value.lastIndexOf(":") + 1);
  return /^0+$/.test(port);
}

/** Node's complaint about `args` (its first line), or undefined when it takes them. */
function tryOnNode(args: readonly string[]): string | undefined {
  // Without NODE_OPTIONS, so that only these options are judged.
  const { NODE_OPTIONS: _, ...env } = process.env;
  const tried = spawnSync(process.execPath, [...args, "--version"], {
    // Node names itself by argv[0] in its complaints: "node: bad option: ...".
    argv0: "node",
    encoding: "utf8",
    env,
    timeout: TRY_TIMEOUT_MS,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (tried.status === 0) return undefined;
  const complaint = tried.stderr
    ?.split("\n")
    .map((line) => line.trim())
    .find((line) => line !== "");
  return (
    complaint ?? (tried.error ? tried.error.message : `node exited with ${tried.status ?? tried.signal}`)
  );
}
