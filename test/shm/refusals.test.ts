// Every way createShm, openShm, removeShm and shmPath refuse, each with its DroverError code.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ErrorCode } from "../../src/errors.ts";
import { shmError } from "../../src/shm/errors.ts";
import { createShm, MAX_SHM_SIZE, openShm, removeShm, shmPath } from "../../src/shm/index.ts";
import { throwsCode } from "../harness/errors.ts";
import { spawnNode } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { assertGone, fixture, LAYOUT, tempFiles, testPath } from "./fixtures/support.ts";

const T = { timeout: 10_000 };

test("bad sizes: SHM_BAD_SIZE, and no file is made", T, () => {
  const path = testPath("bad-size");
  for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_SHM_SIZE + 1, 2 ** 53, "64"]) {
    const error = throwsCode(() => createShm(path, size as number, LAYOUT), ErrorCode.SHM_BAD_SIZE);
    assert.match(error.message, new RegExp(path));
  }
  assert.equal(existsSync(path), false);
});

test("bad paths: SHM_BAD_PATH", T, () => {
  throwsCode(() => createShm("drover-test-relative", 64, LAYOUT), ErrorCode.SHM_BAD_PATH);
  throwsCode(() => openShm("./drover-test-relative", LAYOUT), ErrorCode.SHM_BAD_PATH);
  throwsCode(() => createShm("/dev/shm/drover-test-\0nul", 64, LAYOUT), ErrorCode.SHM_BAD_PATH);
  throwsCode(() => createShm("/dev/shm/", 64, LAYOUT), ErrorCode.SHM_BAD_PATH);
  throwsCode(() => removeShm("relative"), ErrorCode.SHM_BAD_PATH);
  const missingDir = testPath("no-such-dir");
  const error = throwsCode(() => createShm(join(missingDir, "file"), 64, LAYOUT), ErrorCode.SHM_BAD_PATH);
  assert.match(error.message, /does not exist/);
  assert.equal(existsSync(missingDir), false);
});

test("shmPath: /dev/shm by default, a run directory if given, plain names only", T, () => {
  assert.equal(shmPath("drover-scoreboard"), "/dev/shm/drover-scoreboard");
  assert.equal(shmPath("drover.sb_1", "/run/drover/"), "/run/drover/drover.sb_1");
  for (const name of ["a/b", "/abs", "..", ".", "a..b", ".hidden", "", "nul\0", "sp ace", "x".repeat(201)]) {
    throwsCode(() => shmPath(name), ErrorCode.SHM_BAD_PATH);
  }
  throwsCode(() => shmPath("ok", "relative/run"), ErrorCode.SHM_BAD_PATH);
});

test("a missing file: SHM_NOT_FOUND on open, false on remove", T, () => {
  const path = testPath("missing");
  const error = throwsCode(() => openShm(path, LAYOUT), ErrorCode.SHM_NOT_FOUND);
  assert.match(error.message, new RegExp(path));
  assert.equal((error.cause as { code?: string }).code, "ENOENT", "the native error is kept as the cause");
  assert.equal(removeShm(path), false);
});

test("an existing file: SHM_EXISTS on create, unless replace", T, () => {
  const path = testPath("exists");
  try {
    writeFileSync(path, "someone else's");
    throwsCode(() => createShm(path, 64, LAYOUT), ErrorCode.SHM_EXISTS);
    createShm(path, 64, LAYOUT, { replace: true }).close();
    assert.equal(existsSync(path), false);
    assert.deepEqual(tempFiles(dirname(path)), []);
  } finally {
    removeShm(path);
  }
});

test("foreign files: SHM_FOREIGN for random bytes, an empty file and a too-small file", T, () => {
  const path = testPath("foreign");
  try {
    for (const content of [
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff)),
      Buffer.alloc(0),
      Buffer.from("DROVERSM\x40\0\0\0"), // our magic, but shorter than a header
    ]) {
      writeFileSync(path, content);
      const error = throwsCode(() => openShm(path, LAYOUT), ErrorCode.SHM_FOREIGN);
      assert.match(error.message, new RegExp(path));
    }
  } finally {
    removeShm(path);
  }
});

test("another layout: SHM_LAYOUT_MISMATCH for the tag, the version or a size that disagrees", T, () => {
  const path = testPath("layout");
  try {
    const owner = createShm(path, 256, LAYOUT);
    throwsCode(
      () => openShm(path, { tag: LAYOUT.tag + 1, version: LAYOUT.version }),
      ErrorCode.SHM_LAYOUT_MISMATCH,
    );
    const error = throwsCode(
      () => openShm(path, { tag: LAYOUT.tag, version: LAYOUT.version + 1 }),
      ErrorCode.SHM_LAYOUT_MISMATCH,
    );
    assert.match(error.message, /version 3.*expected.*version 4/);
    truncateSync(path, 64 + 512); // the header still says 256
    throwsCode(() => openShm(path, LAYOUT), ErrorCode.SHM_LAYOUT_MISMATCH);
    truncateSync(path, 64 + 128);
    throwsCode(() => openShm(path, LAYOUT), ErrorCode.SHM_LAYOUT_MISMATCH);
    owner.close();
  } finally {
    removeShm(path);
  }
});

test("not a regular file: SHM_BAD_PATH for a directory and a symbolic link", T, () => {
  const dir = testPath("dir");
  const link = testPath("link");
  const target = testPath("target");
  try {
    mkdirSync(dir);
    throwsCode(() => openShm(dir, LAYOUT), ErrorCode.SHM_BAD_PATH);
    throwsCode(() => removeShm(dir), ErrorCode.SHM_BAD_PATH);
    const owner = createShm(target, 64, LAYOUT);
    symlinkSync(target, link);
    const error = throwsCode(() => openShm(link, LAYOUT), ErrorCode.SHM_BAD_PATH);
    assert.match(error.message, /symbolic link/);
    owner.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(link, { force: true });
    removeShm(target);
  }
});

test("bad layout or mode: SHM_BAD_ARGUMENT", T, () => {
  const path = testPath("bad-arg");
  for (const layout of [
    { tag: -1, version: 1 },
    { tag: 1, version: 2 ** 32 },
    { tag: 1.5, version: 1 },
    null,
  ]) {
    throwsCode(() => createShm(path, 64, layout as never), ErrorCode.SHM_BAD_ARGUMENT);
    throwsCode(() => openShm(path, layout as never), ErrorCode.SHM_BAD_ARGUMENT);
  }
  for (const mode of [-1, 0o1000, 0o4755, 1.5]) {
    throwsCode(() => createShm(path, 64, LAYOUT, { mode }), ErrorCode.SHM_BAD_ARGUMENT);
  }
  assert.equal(existsSync(path), false);
});

test("an immutable file (chattr +i, which stops even root): SHM_PERMISSION", T, (t) => {
  const path = testPath("immutable");
  const owner = createShm(path, 64, LAYOUT);
  try {
    if (spawnSync("chattr", ["+i", path]).status !== 0) {
      t.skip("chattr +i is not available here");
      return;
    }
    const error = throwsCode(() => openShm(path, LAYOUT), ErrorCode.SHM_PERMISSION);
    assert.match(error.message, /EPERM/);
    throwsCode(() => removeShm(path), ErrorCode.SHM_PERMISSION);
    // The owner's close cannot remove it either, and says so; the memory is unmapped all the same.
    throwsCode(() => owner.close(), ErrorCode.SHM_PERMISSION);
    throwsCode(() => owner.buffer, ErrorCode.SHM_CLOSED);
    owner.close();
  } finally {
    spawnSync("chattr", ["-i", path]);
    owner.close();
    removeShm(path);
  }
});

test("another user (a child as uid 65534): SHM_PERMISSION on open and on create", {
  timeout: 30_000,
}, async () => {
  const file = testPath("root-only");
  const dir = makeTempDir("drover-test-root-only-"); // mode 0700, owned by root
  try {
    const owner = createShm(file, 64, LAYOUT); // mode 0600, owned by root
    for (const [operation, path] of [
      ["open", file],
      ["create", join(dir.path, "new")],
    ] as const) {
      const child = await spawnNode(fixture("as-nobody.ts"), [
        operation,
        path,
        `${LAYOUT.tag}`,
        `${LAYOUT.version}`,
      ]);
      try {
        const status = await child.waitForExit(15_000);
        assert.equal(status.code, 0, child.output());
        const result = JSON.parse(child.output().trim()) as { uid: number; code: string; message: string };
        assert.equal(result.uid, 65534);
        assert.equal(result.code, ErrorCode.SHM_PERMISSION, result.message);
        assert.match(result.message, /EACCES/);
      } finally {
        await child.stop();
        assertGone(child.pid);
      }
    }
    owner.close();
  } finally {
    removeShm(file);
    dir.remove();
  }
});

test("a full file system (a 1 MiB tmpfs): SHM_NO_SPACE at create, no temporary file left", T, (t) => {
  const { path: dir, remove } = makeTempDir("drover-test-tmpfs-");
  try {
    const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir], { encoding: "utf8" });
    if (mount.status !== 0) {
      t.skip(`cannot mount a small tmpfs here (${(mount.stderr || mount.error?.message || "").trim()})`);
      return;
    }
    try {
      const path = join(dir, "drover-test-full");
      const error = throwsCode(() => createShm(path, 2 * 1024 * 1024, LAYOUT), ErrorCode.SHM_NO_SPACE);
      assert.match(error.message, /ENOSPC/);
      assert.equal(existsSync(path), false);
      assert.deepEqual(tempFiles(dir), []);
      // What fits still works.
      createShm(path, 64 * 1024, LAYOUT).close();
    } finally {
      execFileSync("umount", [dir]);
    }
  } finally {
    remove();
  }
});

test("any other errno: SHM_SYSTEM naming the errno and the system call", T, () => {
  const error = shmError(
    Object.assign(new Error("Input/output error: mmap /dev/shm/x"), {
      code: "EIO",
      errno: 5,
      syscall: "mmap",
    }),
    "open",
    "/dev/shm/x",
  );
  assert.equal(error.code, ErrorCode.SHM_SYSTEM);
  assert.match(error.message, /\/dev\/shm\/x.*mmap.*EIO/);
  // An errno the addon has no name for is named from its number.
  const unnamed = shmError(
    { code: "EUNKNOWN", errno: 121, syscall: "open", message: "?" },
    "create",
    "/dev/shm/y",
  );
  assert.match(unnamed.message, /EREMOTEIO/);
});

test("without the addon: NATIVE_MISSING, saying how to build it", { timeout: 20_000 }, () => {
  // A copy of src/ with no build/ beside it, as in an install whose build step failed.
  const { path: root, remove } = makeTempDir("drover-test-no-addon-");
  try {
    const src = fileURLToPath(new URL("../../src/", import.meta.url));
    cpSync(join(src, "errors.ts"), join(root, "src", "errors.ts"));
    for (const folder of ["shm", "native"])
      cpSync(join(src, folder), join(root, "src", folder), { recursive: true });
    const script = `
      import { createShm, shmPath } from "./src/shm/index.ts";
      console.log(shmPath("still-works"));
      try { createShm("/dev/shm/drover-test-never", 64, { tag: 1, version: 1 }); }
      catch (error) { console.log(error.code); console.log(error.message); }`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
    });
    assertGone(result.pid);
    assert.equal(result.status, 0, result.stderr);
    const [path, code, message] = result.stdout.trim().split("\n");
    assert.equal(path, "/dev/shm/still-works");
    assert.equal(code, ErrorCode.NATIVE_MISSING);
    assert.match(message ?? "", /npm rebuild drover/);
  } finally {
    remove();
  }
});
