// Every way createShm, mapShm, openShm and findShmOf refuse, each with its DroverError code. map
// refuses any descriptor that is not a drover memfd sealed against resizing: an unsealed file could
// be truncated under the mapping and crash the process with SIGBUS.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, constants, cpSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ErrorCode } from "../../src/errors.ts";
import { shmError } from "../../src/shm/errors.ts";
import { createShm, MAX_SHM_NAME, MAX_SHM_SIZE, mapShm, openShm } from "../../src/shm/index.ts";
import { throwsCode } from "../harness/errors.ts";
import { assertRoot } from "../harness/preconditions.ts";
import { spawnNode, spawnProcess } from "../harness/process.ts";
import { makeTempDir, testRoot } from "../harness/temp.ts";
import { assertGone, fixture, LAYOUT, LAYOUT_ARGS, testName } from "./fixtures/support.ts";

const T = { timeout: 10_000 };

test("bad sizes: SHM_BAD_SIZE", T, () => {
  for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_SHM_SIZE + 1, 2 ** 53, "64"]) {
    const error = throwsCode(
      () => createShm(testName("bad-size"), size as number, LAYOUT),
      ErrorCode.SHM_BAD_SIZE,
    );
    assert.match(error.message, /drover-test-/);
  }
});

test("bad names and paths: SHM_BAD_PATH", T, () => {
  for (const name of ["", "a/b", "sp ace", "nul\0", "é", "x".repeat(MAX_SHM_NAME + 1), 7]) {
    throwsCode(() => createShm(name as string, 64, LAYOUT), ErrorCode.SHM_BAD_PATH);
  }
  createShm("x".repeat(MAX_SHM_NAME), 64, LAYOUT).close();
  for (const path of [
    "/dev/shm/drover-x",
    "relative",
    "/proc/1/fd/x",
    "/proc/1/fd/",
    "/proc/1/maps",
    "/proc/0/fd/3",
  ]) {
    throwsCode(() => openShm(path, LAYOUT), ErrorCode.SHM_BAD_PATH);
  }
});

test("bad descriptors: SHM_BAD_ARGUMENT for a non-number, a closed one and a directory", T, () => {
  for (const fd of [-1, 1.5, Number.NaN, "3", 2 ** 31]) {
    throwsCode(() => mapShm(fd as number, LAYOUT), ErrorCode.SHM_BAD_ARGUMENT);
  }
  const segment = createShm(testName("closed"), 64, LAYOUT);
  const { fd } = segment;
  segment.close();
  const closed = throwsCode(() => mapShm(fd, LAYOUT), ErrorCode.SHM_BAD_ARGUMENT);
  assert.match(closed.message, /not an open descriptor/);
  const dir = openSync(testRoot, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    throwsCode(() => mapShm(dir, LAYOUT), ErrorCode.SHM_BAD_ARGUMENT);
  } finally {
    closeSync(dir);
  }
});

test("bad layout: SHM_BAD_ARGUMENT", T, () => {
  const segment = createShm(testName("bad-layout"), 64, LAYOUT);
  try {
    for (const layout of [
      { tag: -1, version: 1 },
      { tag: 1, version: 2 ** 32 },
      { tag: 1.5, version: 1 },
      null,
    ]) {
      throwsCode(() => createShm(testName("bad-layout"), 64, layout as never), ErrorCode.SHM_BAD_ARGUMENT);
      throwsCode(() => mapShm(segment.fd, layout as never), ErrorCode.SHM_BAD_ARGUMENT);
    }
  } finally {
    segment.close();
  }
});

test("a regular file, even one with a valid drover header: SHM_UNSEALED", T, () => {
  const { path: dir, remove } = makeTempDir();
  const path = join(dir, "looks-like-drover");
  const header = Buffer.alloc(64 + 128);
  header.write("DROVERSM", 0, "latin1");
  header.writeUInt32LE(64, 8);
  header.writeUInt32LE(LAYOUT.tag, 12);
  header.writeUInt32LE(LAYOUT.version, 16);
  header.writeBigUInt64LE(128n, 24);
  writeFileSync(path, header);
  const fd = openSync(path, constants.O_RDWR);
  try {
    const error = throwsCode(() => mapShm(fd, LAYOUT), ErrorCode.SHM_UNSEALED);
    assert.match(error.message, /not a memfd.*SIGBUS/);
  } finally {
    closeSync(fd);
    remove();
  }
});

// Memfds that another program made (python3, which node-gyp needs anyway), reopened through /proc.
const CRAFTED = [
  ["unsealable", ErrorCode.SHM_UNSEALED, /seals 0x1\b/],
  ["unsealed", ErrorCode.SHM_UNSEALED, /seals 0x0\b/],
  ["grow-only", ErrorCode.SHM_UNSEALED, /seals 0x4\b/],
  ["foreign", ErrorCode.SHM_FOREIGN, /magic wrong/],
  ["short", ErrorCode.SHM_FOREIGN, /magic absent/],
  ["size", ErrorCode.SHM_LAYOUT_MISMATCH, /header says 256 payload bytes, the file holds 128/],
] as const;

for (const [kind, code, reason] of CRAFTED) {
  test(`a memfd made elsewhere (${kind}): ${code}`, T, async () => {
    const maker = await spawnProcess("python3", [fixture("crafted-memfd.py"), kind, ...LAYOUT_ARGS], {
      ready: /fd \d+/,
    });
    try {
      const fd = Number(maker.output().match(/fd (\d+)/)?.[1]);
      const error = throwsCode(() => openShm(`/proc/${maker.pid}/fd/${fd}`, LAYOUT), code);
      assert.match(error.message, reason);
      assert.match(error.message, new RegExp(`drover-test-crafted-${kind}`), "the message names the memfd");
    } finally {
      await maker.stop();
      assertGone(maker.pid);
    }
  });
}

test("the same memfd made elsewhere, sealed and with a valid header, is mapped", T, async () => {
  const maker = await spawnProcess("python3", [fixture("crafted-memfd.py"), "good", ...LAYOUT_ARGS], {
    ready: /fd \d+/,
  });
  try {
    const fd = Number(maker.output().match(/fd (\d+)/)?.[1]);
    const segment = openShm(`/proc/${maker.pid}/fd/${fd}`, LAYOUT);
    assert.equal(segment.size, 128);
    segment.close();
  } finally {
    await maker.stop();
    assertGone(maker.pid);
  }
});

test("another layout: SHM_LAYOUT_MISMATCH for the tag or the version", T, () => {
  const segment = createShm(testName("layout"), 256, LAYOUT);
  try {
    throwsCode(
      () => mapShm(segment.fd, { tag: LAYOUT.tag + 1, version: LAYOUT.version }),
      ErrorCode.SHM_LAYOUT_MISMATCH,
    );
    const error = throwsCode(
      () => mapShm(segment.fd, { tag: LAYOUT.tag, version: LAYOUT.version + 1 }),
      ErrorCode.SHM_LAYOUT_MISMATCH,
    );
    assert.match(error.message, /version 3.*expected.*version 4/);
  } finally {
    segment.close();
  }
});

test("a descriptor that is gone: SHM_NOT_FOUND from openShm", T, () => {
  const error = throwsCode(() => openShm(`/proc/${process.pid}/fd/999999`, LAYOUT), ErrorCode.SHM_NOT_FOUND);
  assert.match(error.message, /\/proc\/\d+\/fd\/999999/);
  assert.equal((error.cause as { code?: string }).code, "ENOENT", "the native error is kept as the cause");
});

test("no memory: SHM_NO_SPACE; any other errno: SHM_SYSTEM naming it and the system call", T, () => {
  for (const code of ["ENOSPC", "ENOMEM"]) {
    const error = shmError({ code, errno: 28, syscall: "posix_fallocate", message: "?" }, "create", "x");
    assert.equal(error.code, ErrorCode.SHM_NO_SPACE);
    assert.match(error.message, new RegExp(`posix_fallocate: ${code}`));
  }
  const error = shmError(
    Object.assign(new Error("Input/output error: mmap"), { code: "EIO", errno: 5, syscall: "mmap" }),
    "map",
    "drover-x (fd 5)",
  );
  assert.equal(error.code, ErrorCode.SHM_SYSTEM);
  assert.match(error.message, /drover-x \(fd 5\).*mmap.*EIO/);
  // An errno the addon has no name for is named from its number.
  const unnamed = shmError({ code: "EUNKNOWN", errno: 121, syscall: "mmap", message: "?" }, "map", "y");
  assert.match(unnamed.message, /EREMOTEIO/);
});

test("without the addon: NATIVE_MISSING, saying how to build it", { timeout: 20_000 }, () => {
  // A copy of src/ with no build/ beside it, as in an install whose build step failed.
  const root = mkdtempSync(join(testRoot, "drover-test-no-addon-"));
  try {
    const src = fileURLToPath(new URL("../../src/", import.meta.url));
    cpSync(join(src, "errors.ts"), join(root, "src", "errors.ts"));
    for (const folder of ["shm", "native"])
      cpSync(join(src, folder), join(root, "src", folder), { recursive: true });
    const script = `
      import { createShm, findShmOf } from "./src/shm/index.ts";
      console.log(findShmOf(process.pid, "still-works") ?? "none");
      try { createShm("drover-test-never", 64, { tag: 1, version: 1 }); }
      catch (error) { console.log(error.code); console.log(error.message); }`;
    const result = spawnSyncNode(script, root);
    assertGone(result.pid);
    assert.equal(result.status, 0, result.stderr);
    const [found, code, message] = result.stdout.trim().split("\n");
    assert.equal(found, "none");
    assert.equal(code, ErrorCode.NATIVE_MISSING);
    assert.match(message ?? "", /npm rebuild drover/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

function spawnSyncNode(script: string, cwd: string) {
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8" });
}

test("as uid 65534, another user's segment: SHM_PERMISSION, saying whom to run as", {
  timeout: 20_000,
}, async () => {
  assertRoot("to drop to uid 65534");
  const name = testName("root-only");
  const owner = createShm(name, 64, LAYOUT);
  try {
    for (const args of [
      ["open", `/proc/${process.pid}/fd/${owner.fd}`],
      ["find", `${process.pid}`, name],
    ]) {
      const child = await spawnNode(fixture("as-nobody.ts"), [...args, ...LAYOUT_ARGS]);
      try {
        const status = await child.waitForExit(15_000);
        assert.equal(status.code, 0, child.output());
        const result = JSON.parse(child.output().trim()) as { uid: number; code: string; message: string };
        assert.equal(result.uid, 65534);
        assert.equal(result.code, ErrorCode.SHM_PERMISSION, result.message);
        assert.match(result.message, /run as the user the drover master runs as, or as root/i);
      } finally {
        await child.stop();
        assertGone(child.pid);
      }
    }
  } finally {
    owner.close();
  }
});
