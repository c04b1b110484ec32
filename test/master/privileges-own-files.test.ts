// drover may be installed where the children's user cannot read it (a clone in a folder only root may
// enter): a child loads all of drover's own code it needs, the built-in modules and its stack
// watchdog thread included, before it drops to `user`. Here drover runs from a copy in an owner-only
// folder; the app, which the children's user must read, sits in a world-readable one.
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { assertAccount, assertRoot } from "../harness/preconditions.ts";
import { makeSharedDir, makeTempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";
import { httpGet, startDrover } from "../support/drover.ts";
import { statusPids, uidOf } from "../support/lifecycle.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

// Answers, or spins for good on /hang so that the master asks the watchdog for the stack.
const APP = `export default (req: any, res: any) => {
  if (req.url === "/hang") for (;;) {}
  res.end(String(process.getuid()));
};
`;

/** A copy of drover's sources, addon and package.json in an owner-only folder; its CLI's path. */
function unreadableCopy(t: { after(fn: () => void): void }): string {
  const dir = makeTempDir("drover-test-closed-");
  t.after(() => dir.remove());
  assert.equal(statSync(dir.path).mode & 0o077, 0, `${dir.path} is owner-only`);
  cpSync(join(REPO, "src"), join(dir.path, "src"), { recursive: true });
  cpSync(join(REPO, "package.json"), join(dir.path, "package.json"));
  // The addon where the loader finds it: the prebuilds, and a local build when the checkout has one.
  cpSync(join(REPO, "prebuilds"), join(dir.path, "prebuilds"), { recursive: true });
  if (existsSync(join(REPO, "build/Release"))) {
    mkdirSync(join(dir.path, "build", "Release"), { recursive: true });
    cpSync(
      join(REPO, "build/Release/drover_native.node"),
      join(dir.path, "build/Release/drover_native.node"),
    );
  }
  // Its dependencies (pino, prom-client) are the checkout's: the copy resolves them by this link.
  symlinkSync(join(REPO, "node_modules"), join(dir.path, "node_modules"));
  return join(dir.path, "src/cli/main.ts");
}

it("children that drop to `user` need none of drover's files: built-in modules and the watchdog load before", {
  timeout: 90_000,
}, async (t) => {
  assertRoot("to start children as another user");
  const { uid } = assertAccount("nobody");
  const cli = unreadableCopy(t);
  const shared = makeSharedDir("drover-test-own-files-");
  t.after(() => shared.remove());
  const app = shared.write("app.ts", APP);
  const drover = await startDrover({
    cli,
    app: "export default () => {};\n",
    config: {
      app,
      user: "nobody",
      startServers: 1,
      workersPerChild: 2,
      heartbeatTimeout: "1s",
      modules: [{ use: "status" }, { use: "metrics" }, { use: "shmCounter" }],
    },
  });
  t.after(() => drover.stop());

  const [child] = await statusPids(drover);
  assert.ok(child !== undefined);
  assert.equal(uidOf(child), uid, "the child runs as nobody");
  assert.equal((await httpGet(drover.port, "/")).body, String(uid));
  for (const path of ["/server-status?auto", "/metrics"])
    assert.equal((await httpGet(drover.port, path)).status, 200, `${path}, a built-in module's`);

  // The watchdog thread loaded as root too: asked for a hung child's stack, it logs it.
  void httpGet(drover.port, "/hang").catch(() => {});
  await waitFor(
    "the hung child's stack",
    () => /hung child's JavaScript stack/.test(drover.proc.output()),
    30_000,
  ).catch((error: Error) => assert.fail(`${error.message}\n${drover.proc.output()}`));
  assert.doesNotMatch(drover.proc.output(), /stack watchdog thread stopped/);
});
