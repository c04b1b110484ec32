// What a built addon is, read with binutils' readelf: its machine, the libc it was linked against, the
// newest glibc version it needs, and the symbols it expects from outside. For the prebuild script and
// the test that checks the committed prebuilds.
import { execFileSync } from "node:child_process";
import type { Arch, Libc } from "./targets.ts";

export interface ElfFacts {
  /** Node's name for the machine, or readelf's own words for one drover does not build for. */
  readonly arch: Arch | string;
  readonly libc: Libc | "unknown";
  /** The newest GLIBC_x.y symbol version it needs (glibc builds), else undefined. */
  readonly glibcFloor: string | undefined;
  /** Whether it exports N-API's entry point, so that Node can load it as an addon. */
  readonly napiEntry: boolean;
  /** Strong undefined symbols, without their versions: what the loader must find at load time. */
  readonly needs: readonly string[];
  /** Symbols it defines and exports. */
  readonly exports: readonly string[];
}

const MACHINES: Record<string, Arch> = { "Advanced Micro Devices X86-64": "x64", AArch64: "arm64" };

export function readElf(file: string): ElfFacts {
  const text = readelf(["-h", "-d", "-V", "--dyn-syms"], file);
  const machine = text.match(/^\s*Machine:\s*(.+)$/m)?.[1]?.trim() ?? "unknown";
  const needed = [...text.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  const glibcVersions = [...new Set([...text.matchAll(/\bGLIBC_(\d+(?:\.\d+)+)\b/g)].map((m) => m[1] ?? ""))];
  const glibc = needed.includes("libc.so.6");
  // Debian's musl links against "libc.so", Alpine's against "libc.musl-<arch>.so.1"; neither has versions.
  const musl = needed.some((name) => name === "libc.so" || /^libc\.musl-/.test(name ?? ""));
  const symbols = dynamicSymbols(text);
  return {
    arch: MACHINES[machine] ?? machine,
    libc: glibc && !musl ? "glibc" : musl && !glibc && glibcVersions.length === 0 ? "musl" : "unknown",
    glibcFloor: glibcVersions.sort(compareVersions).at(-1),
    napiEntry: symbols.some((s) => s.defined && s.name === "napi_register_module_v1"),
    needs: symbols.filter((s) => !s.defined && s.binding !== "WEAK").map((s) => s.name),
    exports: symbols.filter((s) => s.defined).map((s) => s.name),
  };
}

/** The names a shared library (a libc) exports. */
export function exportedNames(file: string): Set<string> {
  return new Set(
    dynamicSymbols(readelf(["--dyn-syms"], file))
      .filter((s) => s.defined)
      .map((s) => s.name),
  );
}

/** Negative when a < b, for versions like "2.17" and "2.34". */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

interface DynamicSymbol {
  readonly name: string;
  readonly binding: string;
  readonly defined: boolean;
}

// "    12: 0000000000000000     0 FUNC    GLOBAL DEFAULT  UND memfd_create@GLIBC_2.27 (4)"
function dynamicSymbols(text: string): DynamicSymbol[] {
  const symbols: DynamicSymbol[] = [];
  for (const m of text.matchAll(/^\s*\d+: [0-9a-f]+\s+\d+ \w+\s+(\w+)\s+\w+\s+(\w+) ([^\s@]+)/gm)) {
    const [, binding = "", index = "", name = ""] = m;
    if (binding === "LOCAL") continue;
    symbols.push({ name, binding, defined: index !== "UND" });
  }
  return symbols;
}

function readelf(flags: readonly string[], file: string): string {
  return execFileSync("readelf", ["-W", ...flags, file], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
}
