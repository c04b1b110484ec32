// Loads drover's N-API addon (native/). node-gyp-build picks it the same way at run time as `npm
// install` did: a local build (build/Release) first, then the prebuilt binary for this platform, arch
// and libc in prebuilds/ (built by scripts/prebuilds.ts), so a host with no compiler needs none.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DroverError, ErrorCode } from "../errors.ts";

// The package's root, relative to this file: the same from src/native/ (type stripping) and dist/native/.
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface NodeGypBuild {
  /** The .node file that fits this process; throws "No native build was found" when none does. */
  resolve(dir: string): string;
}

let addon: unknown;

/**
 * The addon, loaded on first use so that code which never needs it works without it. Throws
 * NATIVE_MISSING, naming the file tried (or the folders searched), this platform and the fix.
 */
export function loadAddon(): unknown {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  let loader: NodeGypBuild | undefined;
  let file: string | undefined;
  try {
    loader = require("node-gyp-build") as NodeGypBuild;
    file = loader.resolve(ROOT);
    addon = require(file);
  } catch (cause) {
    throw nativeMissing(loader, file, cause);
  }
  return addon;
}

function nativeMissing(
  loader: NodeGypBuild | undefined,
  file: string | undefined,
  cause: unknown,
): DroverError {
  const first = cause instanceof Error ? (cause.message.split("\n")[0] ?? "") : String(cause);
  // glibc's dlopen says "No such file" of a file that is there but for another machine.
  const reason =
    file !== undefined && existsSync(file) && first.includes("No such file")
      ? `${first}; the file is there, so it was built for another machine or libc`
      : first;
  const libc = runtimeLibc();
  const platform = `${process.platform}-${process.arch}`;
  // node-gyp-build looks in DROVER_PREBUILD instead of the package's root when it is set.
  const dir = join(process.env.DROVER_PREBUILD || ROOT);
  const tried =
    loader === undefined
      ? "node-gyp-build, the package that finds it, is not installed (`npm install` in your project installs it)"
      : file === undefined
        ? `no build in ${join(dir, "build/Release")} and no prebuild for ${platform} in ${join(dir, "prebuilds")}`
        : `${file} did not load`;
  // node-gyp-build tells musl from glibc by /etc/alpine-release alone; other musl systems must say so.
  const hint =
    file?.includes(".glibc.") && !libc.startsWith("glibc")
      ? " This system's libc is not glibc: set LIBC=musl so that the musl prebuild is chosen."
      : "";
  return new DroverError(
    ErrorCode.NATIVE_MISSING,
    `drover's native addon could not be loaded on ${platform} (${libc}, Node ${process.versions.node}): ` +
      `${tried} (${reason}).${hint} Run \`npm rebuild drover\` in your project: it takes the prebuilt ` +
      "binary that fits, or builds one from source, which needs python3, make and a C compiler " +
      "(Debian: apt-get install python3 make gcc; Alpine: apk add python3 make gcc musl-dev linux-headers). " +
      "An npm that runs a dependency's build script only once approved wants `npm approve-scripts drover` first.",
    { cause },
  );
}

/** "glibc 2.36", or musl's stand-in: Node reports a glibc version only when it runs on glibc. */
function runtimeLibc(): string {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return header?.glibcVersionRuntime
    ? `glibc ${header.glibcVersionRuntime}`
    : "musl or another non-glibc libc";
}
