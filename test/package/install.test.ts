// The package as a user gets it (issue 12, "Install anywhere"; newcomer B2): `npm pack` of this checkout
// holds what a user needs and nothing else, and it installs into a fresh project on a host with no
// python3, make or C compiler (a PATH of node, npm and sh alone), where a master started from it serves.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, delimiter, join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { prebuildPath, TARGETS } from "../../scripts/prebuilds/targets.ts";
import { freePort } from "../harness/ports.ts";
import { spawnProcess, waitForPidsGone } from "../harness/process.ts";
import { makeTempDir, type TempDir } from "../harness/temp.ts";
import { httpGet } from "../support/drover.ts";

const root = realpathSync(join(import.meta.dirname, "..", ".."));
// What a clone does not have at its top, or what pack makes again: left out of the copy that is packed.
const NOT_COPIED = new Set(["node_modules", "build", "dist", ".git", ".drover"]);
const COMPILERS = ["python3", "make", "cc", "gcc", "g++"];

// The npm settings an `npm test` hands its scripts would steer the npm run here: none of them.
const npmFree = Object.fromEntries(
  Object.keys(process.env).flatMap((k) => (k.startsWith("npm_") ? [[k, undefined]] : [])),
);

/** Runs `command` to its end in a process group of its own, proven gone after; its output. */
async function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const proc = await spawnProcess(command, args, { cwd, env: { ...npmFree, ...env } });
  try {
    const status = await proc.waitForExit(90_000);
    assert.equal(status.code, 0, `${basename(command)} ${args.join(" ")} failed:\n${proc.output()}`);
    return proc.output();
  } finally {
    await proc.stop();
  }
}

function onPath(name: string): string {
  const dir = (process.env.PATH ?? "").split(delimiter).find((d) => d && existsSync(join(d, name)));
  assert.ok(dir, `${name} is not on PATH`);
  return join(dir, name);
}

describe("the packed tarball", { timeout: 150_000 }, () => {
  let work: TempDir;
  let tarball = "";

  before(async () => {
    work = makeTempDir("drover-test-package-");
    const clone = join(work.path, "drover");
    cpSync(root, clone, { recursive: true, filter: (from) => !NOT_COPIED.has(relative(root, from)) });
    symlinkSync(join(root, "node_modules"), join(clone, "node_modules"));
    // Its prepare script builds dist/ in the copy, as it does when a user packs or publishes.
    await run(onPath("npm"), ["pack", "--pack-destination", work.path], clone);
    tarball = join(work.path, readdirSync(work.path).find((name) => name.endsWith(".tgz")) ?? "none");
    // Unpacked as package/, to read what it holds.
    assert.equal(spawnSync("tar", ["-xzf", tarball, "-C", work.path]).status, 0);
  });
  after(() => work?.remove());

  it("holds LICENSE, README, dist, the prebuilds and the addon's sources; no maps, src, tests or bench", () => {
    const pkg = join(work.path, "package");
    const files = readdirSync(pkg, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(pkg, join(entry.parentPath, entry.name)));
    const top = [...new Set(files.map((file) => file.split("/")[0]))].sort();
    assert.deepEqual(top, [
      "LICENSE",
      "README.md",
      "binding.gyp",
      "dist",
      "native",
      "package.json",
      "prebuilds",
    ]);
    assert.match(readFileSync(join(pkg, "LICENSE"), "utf8"), /^MIT License/);
    // The four prebuilds and nothing else there (not the sources' hashes).
    assert.deepEqual(
      files.filter((file) => file.startsWith("prebuilds/")).sort(),
      TARGETS.map(prebuildPath).sort(),
    );
    // Everything the build from source needs when no prebuild fits.
    const gyp = JSON.parse(readFileSync(join(root, "binding.gyp"), "utf8")) as {
      targets: { sources: string[] }[];
    };
    for (const source of [...(gyp.targets[0]?.sources ?? []), "native/errors.h"])
      assert.ok(files.includes(source), source);
    for (const entry of ["dist/index.js", "dist/index.d.ts", "dist/client/index.js", "dist/cli/main.js"])
      assert.ok(files.includes(entry), entry);
    assert.deepEqual(
      files.filter((file) => /\.map$|\.test\.|^dist\/(test|bench)\//.test(file)),
      [],
    );
    const mapped = files.filter(
      (file) => file.endsWith(".js") && readFileSync(join(pkg, file), "utf8").includes("sourceMappingURL"),
    );
    assert.deepEqual(mapped, [], "a source map comment points at a file the package does not ship");
  });

  it("installs with no compiler on PATH, and a master started from it serves on the prebuild", async (t) => {
    // A PATH of node, npm and sh alone: what a slim production image has.
    const bin = join(work.path, "bin");
    mkdirSync(bin);
    for (const [name, target] of [
      ["node", process.execPath],
      ["npm", realpathSync(onPath("npm"))],
      ["sh", "/bin/sh"],
    ] as const)
      symlinkSync(target, join(bin, name));
    const found = spawnSync("/bin/sh", ["-c", `command -v ${COMPILERS.join(" ")}`], {
      env: { PATH: bin },
      encoding: "utf8",
    });
    assert.equal(found.stdout, "", "a compiler or build tool is still on PATH");

    const project = join(work.path, "myapp");
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "myapp", private: true, type: "module" }),
    );
    const env = { PATH: bin };
    const install = await run(
      join(bin, "npm"),
      ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund", "--foreground-scripts"],
      project,
      env,
    );
    assert.match(install, /> node-gyp-build/, "the install script ran");
    const installed = join(project, "node_modules", "drover");
    assert.equal(existsSync(join(installed, "build")), false, `nothing was compiled:\n${install}`);

    const port = await freePort();
    writeFileSync(
      join(project, "app.js"),
      'export default (req, res) => res.end("hello from " + process.pid);\n',
    );
    writeFileSync(
      join(project, "drover.config.js"),
      `export default { app: "./app.js", listen: ["127.0.0.1:${port}"], runDir: "./run", startServers: 1 };\n`,
    );
    const master = await spawnProcess(join(project, "node_modules", ".bin", "drover"), ["start"], {
      cwd: project,
      env: { ...npmFree, ...env },
      ready: /is served on/,
      readyTimeoutMs: 30_000,
      cleanup: (stop) => t.after(stop),
    });
    const response = await httpGet(port, "/");
    assert.equal(response.status, 200, master.output());
    const child = Number(response.body.match(/^hello from (\d+)$/)?.[1]);
    assert.ok(child > 0 && child !== master.pid, response.body);
    const maps = readFileSync(`/proc/${child}/maps`, "utf8");
    assert.ok(
      maps.includes(join(realpathSync(installed), prebuildPath({ arch: "x64", libc: "glibc" }))),
      maps,
    );

    const status = await master.stop();
    assert.equal(status.code, 0, master.output());
    await waitForPidsGone([master.pid, child]);
  });
});
