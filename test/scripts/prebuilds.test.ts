// The committed prebuilds (scripts/prebuilds/): one per target, each for its machine and libc as
// readelf reads it, built from the sources in this checkout, and the x64 glibc one loads through
// drover's own loader and works.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { targetProblems } from "../../scripts/prebuilds/check.ts";
import { readElf } from "../../scripts/prebuilds/elf.ts";
import { SOURCES_MANIFEST, sourcesDigest } from "../../scripts/prebuilds/sources.ts";
import { prebuildPath, TARGETS } from "../../scripts/prebuilds/targets.ts";
import { makeTempDir, testShmName } from "../harness/temp.ts";

const root = join(import.meta.dirname, "..", "..");
const [x64Glibc, x64Musl, arm64Glibc] = TARGETS;

describe("the committed prebuilds", () => {
  for (const target of TARGETS) {
    it(`${prebuildPath(target)} is an addon for linux-${target.arch} with ${target.libc}`, () => {
      const file = join(root, prebuildPath(target));
      assert.ok(existsSync(file), `${file} is missing: run \`npm run prebuilds\``);
      assert.deepEqual(targetProblems(target, readElf(file)), []);
    });
  }

  it("are told apart: a binary for another machine or libc is refused", () => {
    assert.ok(x64Glibc && x64Musl && arm64Glibc);
    const musl = readElf(join(root, prebuildPath(x64Musl)));
    assert.match(targetProblems(x64Glibc, musl).join(), /links against musl libc, not glibc/);
    const arm = readElf(join(root, prebuildPath(arm64Glibc)));
    assert.match(targetProblems(x64Glibc, arm).join(), /its machine is arm64, not x64/);
    assert.match(targetProblems(arm64Glibc, { ...arm, glibcFloor: "2.99" }).join(), /needs glibc 2\.99/);
  });

  it("were built from the sources in this checkout", () => {
    assert.equal(
      readFileSync(join(root, SOURCES_MANIFEST), "utf8"),
      sourcesDigest(root),
      "binding.gyp or native/ changed since the prebuilds were made: run `npm run prebuilds` and commit prebuilds/",
    );
  });

  it("x64 glibc: drover's loader picks it where there is no local build, and it maps memory and listens", () => {
    // DROVER_PREBUILD points node-gyp-build at a folder with prebuilds/ and no build/.
    const dir = makeTempDir("drover-test-prebuild-");
    try {
      symlinkSync(join(root, "prebuilds"), join(dir.path, "prebuilds"));
      const script = `
        import { readFileSync } from "node:fs";
        import { sockets } from "./src/net/sockets.ts";
        import { createShm } from "./src/shm/index.ts";
        const segment = createShm(${JSON.stringify(testShmName("prebuild"))}, 64, { tag: 1, version: 1 });
        new Uint8Array(segment.buffer)[0] = 7;
        segment.close();
        const fd = sockets().listenTcp("127.0.0.1", 0, 16, false);
        const port = sockets().localPort(fd);
        sockets().closeFd(fd);
        const mapped = readFileSync("/proc/self/maps", "utf8").match(/\\S+\\.node$/gm) ?? [];
        console.log(JSON.stringify({ port, mapped }));`;
      const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: root,
        env: { ...process.env, DROVER_PREBUILD: dir.path },
        encoding: "utf8",
        timeout: 20_000,
      });
      assert.equal(run.status, 0, run.stderr);
      const { port, mapped } = JSON.parse(run.stdout) as { port: number; mapped: string[] };
      assert.ok(port > 0);
      // The kernel names the mapped file by its real path, through the symlink.
      assert.deepEqual(
        [...new Set(mapped)],
        [realpathSync(join(root, prebuildPath({ arch: "x64", libc: "glibc" })))],
      );
    } finally {
      dir.remove();
    }
  });
});
