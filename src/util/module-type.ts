// Why a module failed to load, when the cause is its module type: ES module code that Node reads as
// CommonJS (the nearest package.json says "type": "commonjs", or the name ends in .cjs/.cts), or
// CommonJS code that Node reads as an ES module ("type": "module", .mjs/.mts, or import and require
// mixed in one file). Node's own words ("Cannot use import statement outside a module") say neither
// which file decides it nor what to change; these do.
import { readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";

type Scope =
  | { readonly kind: "esm" | "cjs"; readonly why: string; readonly packageJson?: string }
  | { readonly kind: "detect"; readonly packageJson?: string };

// Node's messages for ES module syntax in a file it compiled as CommonJS.
const ESM_SYNTAX = [
  "Cannot use import statement outside a module",
  "Unexpected token 'export'",
  "await is only valid in async functions and the top level bodies of modules",
];
// And for CommonJS names in an ES module ("require is not defined in ES module scope, ...").
const CJS_NAME = /^(require|module|exports|__dirname|__filename) is not defined in ES module scope/;

/**
 * What is wrong and what to do, when `error` (from importing `entry`) comes from the module type of
 * the file that failed (the entry or a file it imports); undefined for any other failure.
 */
export function moduleTypeProblem(entry: string, error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const esmSyntax = error.name === "SyntaxError" && ESM_SYNTAX.some((text) => error.message.includes(text));
  const cjsName = error.name === "ReferenceError" ? CJS_NAME.exec(error.message)?.[1] : undefined;
  if (!esmSyntax && cjsName === undefined) return undefined;
  const file = failingFile(error) ?? entry;
  const scope = scopeOf(file);
  // The entry is named by the caller's message already.
  const it = file === entry ? "it" : file;
  const ext = extname(file);
  const esmName = ext === ".ts" || ext === ".cts" ? ".mts" : ".mjs";
  const cjsExt = ext === ".ts" || ext === ".mts" ? ".cts" : ".cjs";
  if (esmSyntax && scope.kind === "cjs") {
    const fix = scope.packageJson
      ? `set "type": "module" there (npm pkg set type=module, or drover init), or rename the file to ${esmName}`
      : `rename it to ${esmName} (or to ${ext === ".cts" ? ".ts" : ".js"} in a package with "type": "module")`;
    return `${it} is an ES module (it uses import or export), but Node loads it as CommonJS because ${scope.why}: ${fix}`;
  }
  if (cjsName === undefined) return undefined;
  const esmWay =
    cjsName === "__dirname" || cjsName === "__filename"
      ? `import.meta.${cjsName.slice(2)}`
      : cjsName === "require"
        ? "import (or createRequire from node:module)"
        : "export";
  if (scope.kind === "esm") {
    return (
      `${it} is CommonJS (it uses ${cjsName}), but Node loads it as an ES module because ${scope.why}: ` +
      `use ${esmWay} instead, or rename the file to ${cjsExt}`
    );
  }
  if (scope.kind === "detect") {
    return (
      `${it} mixes import or export with CommonJS's ${cjsName}: Node loads a file with import or export ` +
      `as an ES module, where ${cjsName} does not exist: use ${esmWay} instead`
    );
  }
  return undefined;
}

/** How Node decides the module type of `file`: its extension, else the nearest package.json's "type". */
function scopeOf(file: string): Scope {
  const ext = extname(file);
  if (ext === ".mjs" || ext === ".mts") return { kind: "esm", why: `its name ends in ${ext}` };
  if (ext === ".cjs" || ext === ".cts") return { kind: "cjs", why: `its name ends in ${ext}` };
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const packageJson = join(dir, "package.json");
    let text: string | undefined;
    try {
      text = readFileSync(packageJson, "utf8");
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      const type = typeField(text);
      if (type === "module") return { kind: "esm", why: `${packageJson} has "type": "module"`, packageJson };
      if (type === "commonjs")
        return { kind: "cjs", why: `${packageJson} has "type": "commonjs"`, packageJson };
      return { kind: "detect", packageJson };
    }
    if (dir === dirname(dir)) return { kind: "detect" };
  }
}

function typeField(text: string): unknown {
  try {
    return (JSON.parse(text) as { type?: unknown }).type;
  } catch {
    return undefined;
  }
}

// The file Node was loading: CommonJS's compile error names it on the stack's first line
// ("/srv/app.ts:1"), an ES module's ReferenceError in its first frame ("at file:///srv/app.ts:1:14").
function failingFile(error: Error): string | undefined {
  const stack = error.stack ?? "";
  const compiled = /^(\/[^\n]*?):\d+\n/.exec(stack)?.[1];
  if (compiled !== undefined) return compiled;
  const frame = /\n\s+at (?:[^\n]*\()?(file:\/\/[^\n)]*?):\d+:\d+\)?/.exec(stack)?.[1];
  return frame === undefined ? undefined : fileURLToPath(frame);
}
