// An addon that cannot be loaded (src/native/addon.ts), as a real `drover start` meets it: NATIVE_MISSING
// naming what was tried, this platform and the fix, before the master makes a file or binds a port;
// never a listen error.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { prebuildPath } from "../../scripts/prebuilds/targets.ts";
import { freePort } from "../harness/ports.ts";
import { makeTempDir } from "../harness/temp.ts";
import { runCli } from "../support/drover.ts";

const root = join(import.meta.dirname, "..", "..");
const platform = `${process.platform}-${process.arch}`;

/** `drover start` in a fresh folder, with node-gyp-build told (DROVER_PREBUILD) to look in `addonDir`. */
async function startWith(addonDir: string) {
  const dir = makeTempDir("drover-test-no-addon-");
  try {
    writeFileSync(join(dir.path, "app.mjs"), "export default (req, res) => res.end('never');\n");
    const port = await freePort();
    const args = ["start", "./app.mjs", "--listen", `127.0.0.1:${port}`, "--run-dir", "./run"];
    const result = await runCli(args, dir.path, ["env", `DROVER_PREBUILD=${addonDir}`]);
    return { ...result, madeRunDir: existsSync(join(dir.path, "run")) };
  } finally {
    dir.remove();
  }
}

describe("an addon that cannot be loaded", { timeout: 60_000 }, () => {
  it("none at all: NATIVE_MISSING names the folders searched, the platform and the fix", async () => {
    const empty = makeTempDir("drover-test-addon-dir-");
    try {
      const { status, stderr, madeRunDir } = await startWith(empty.path);
      assert.equal(status, 1, stderr);
      assert.match(stderr, /\[DROVER_ERR_NATIVE_MISSING\]/);
      assert.doesNotMatch(stderr, /LISTEN/);
      assert.ok(stderr.includes(`no build in ${join(empty.path, "build/Release")}`), stderr);
      assert.ok(stderr.includes(`no prebuild for ${platform} in ${join(empty.path, "prebuilds")}`), stderr);
      assert.match(
        stderr,
        new RegExp(`on ${platform} \\(glibc \\d+\\.\\d+, Node ${process.versions.node}\\)`),
      );
      assert.match(stderr, /npm rebuild drover/);
      assert.equal(madeRunDir, false, "the master made its run directory before it checked the addon");
    } finally {
      empty.remove();
    }
  });

  it("one for another machine: NATIVE_MISSING names the file and the loader's reason", async () => {
    const dir = makeTempDir("drover-test-addon-dir-");
    try {
      // Where node-gyp-build looks for this machine's binary, the arm64 one.
      const file = join(dir.path, prebuildPath({ arch: "x64", libc: "glibc" }));
      mkdirSync(join(file, ".."), { recursive: true });
      copyFileSync(join(root, prebuildPath({ arch: "arm64", libc: "glibc" })), file);
      const { status, stderr, madeRunDir } = await startWith(dir.path);
      assert.equal(status, 1, stderr);
      assert.match(stderr, /\[DROVER_ERR_NATIVE_MISSING\]/);
      assert.ok(stderr.includes(`${file} did not load`), stderr);
      assert.match(stderr, /the file is there, so it was built for another machine or libc/);
      assert.doesNotMatch(stderr, /LISTEN/);
      assert.equal(madeRunDir, false);
    } finally {
      dir.remove();
    }
  });
});
