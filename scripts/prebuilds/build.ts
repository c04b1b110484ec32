// `npm run prebuilds`: builds the addon for every target in targets.ts with node-gyp (npm's own, the one
// that builds from source at install when no prebuild fits), in a folder of its own so that the
// checkout's build/ is never touched; strips and checks each binary, then writes them to prebuilds/
// with the hashes of the sources they came from. Nothing is written unless all of them pass.
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { targetProblems } from "./check.ts";
import { exportedNames, readElf } from "./elf.ts";
import { SOURCES_MANIFEST, sourcesDigest } from "./sources.ts";
import { type PrebuildTarget, prebuildPath, TARGETS } from "./targets.ts";

const root = join(import.meta.dirname, "..", "..");

function main(): number {
  const nodeGyp = process.env.npm_config_node_gyp;
  if (!nodeGyp) {
    console.error(
      "prebuilds: run this as `npm run prebuilds`, which provides npm's node-gyp and its settings",
    );
    return 2;
  }
  const missing = TARGETS.flatMap((target) => missingTools(target).map((tool) => ({ target, tool })));
  if (missing.length > 0) {
    for (const { target, tool } of missing)
      console.error(`prebuilds: linux-${target.arch}-${target.libc} needs ${tool}: ${target.debian}`);
    return 1;
  }
  const stage = mkdtempSync(join(tmpdir(), "drover-prebuilds-"));
  try {
    cpSync(join(root, "binding.gyp"), join(stage, "binding.gyp"));
    cpSync(join(root, "native"), join(stage, "native"), { recursive: true });
    const built = TARGETS.map((target) => ({ target, file: build(target, stage, nodeGyp) }));
    for (const { target, file } of built) {
      const destination = join(root, prebuildPath(target));
      mkdirSync(dirname(destination), { recursive: true });
      copyFileSync(file, destination);
    }
    writeFileSync(join(root, SOURCES_MANIFEST), sourcesDigest(root));
    console.log(`prebuilds: ${built.length} binaries and ${SOURCES_MANIFEST} written`);
    return 0;
  } catch (error) {
    console.error(`prebuilds: ${(error as Error).message}`);
    return 1;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Builds, strips and checks one target; the path of its binary in the stage. */
function build(target: PrebuildTarget, stage: string, nodeGyp: string): string {
  const name = `linux-${target.arch}-${target.libc}`;
  const cc = [...target.cc, ...(target.libc === "musl" ? ["-isystem", kernelHeaders(target, stage)] : [])];
  const compiler = cc.join(" ");
  // CXX and LINK too: gyp links with $(CXX) unless told, and there is no C++ here.
  const env = { ...process.env, CC: compiler, CXX: compiler, LINK: compiler };
  const run = spawnSync(process.execPath, [nodeGyp, "rebuild", "--release", `--arch=${target.arch}`], {
    cwd: stage,
    env,
    encoding: "utf8",
  });
  if (run.status !== 0)
    throw new Error(`${name}: node-gyp failed (${run.status})\n${run.stdout}${run.stderr}`);
  const file = join(stage, `${name}.node`);
  copyFileSync(join(stage, "build", "Release", "drover_native.node"), file);
  execFileSync(target.strip, ["--strip-all", file]);
  check(target, file);
  console.log(`prebuilds: ${name} built`);
  return file;
}

/** Throws unless `file` is an addon for the target's machine and libc that its libc can satisfy. */
function check(target: PrebuildTarget, file: string): void {
  const facts = readElf(file);
  const problems = targetProblems(target, facts);
  const libc = exportedNames(target.libcFile);
  const unresolved = facts.needs.filter((symbol) => !/^(napi|node_api)_/.test(symbol) && !libc.has(symbol));
  if (unresolved.length > 0) problems.push(`${target.libcFile} lacks ${unresolved.join(", ")}`);
  if (problems.length > 0) throw new Error(`linux-${target.arch}-${target.libc}: ${problems.join("; ")}`);
}

// A folder holding only linux/, asm/ and asm-generic/ for the target: nothing of glibc's comes along.
function kernelHeaders(target: PrebuildTarget, stage: string): string {
  const dir = join(stage, "kernel-headers", target.arch);
  if (existsSync(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  const { linux, asm, asmGeneric } = target.kernelHeaders;
  symlinkSync(linux, join(dir, "linux"));
  symlinkSync(asm, join(dir, "asm"));
  symlinkSync(asmGeneric, join(dir, "asm-generic"));
  return dir;
}

function missingTools(target: PrebuildTarget): string[] {
  const [compiler = "", , specs] = target.cc;
  const files = [specs, target.libcFile, ...Object.values(target.kernelHeaders)].filter(
    (file): file is string => file !== undefined,
  );
  return [
    ...[compiler, target.strip, "readelf"].filter((command) => !onPath(command)),
    ...files.filter((file) => !existsSync(file)),
  ];
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

if (import.meta.main) process.exitCode = main();
