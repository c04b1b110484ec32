// Apache's "run only on the second post_config" hack skips a module's set-up when the module is added
// while the server runs and the server is restarted once. drover runs postConfig once per generation,
// so a module added on a graceful restart makes its shared memory before its childInit needs it; and
// a restart that fails leaves no new segment behind.
import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import { runFiles } from "../../../src/master/run/run-files.ts";
import { startDrover } from "../../support/drover.ts";
import { devShmEntries, memfdsOf } from "../../support/lifecycle.ts";

const INDEX = JSON.stringify(join(import.meta.dirname, "..", "..", "..", "src", "index.ts"));
const GREETER = `import { defineModule } from ${INDEX};
export default defineModule({
  name: "greeter",
  hooks: {
    postConfig({ shm, generation, restart }) {
      const memory = shm.create("greeting", 128);
      // Found again on a later restart, it is in use: only the generation that made it writes it.
      if (!memory.created) return;
      const text = "made by master " + process.pid + " for generation " + generation + " (" + restart + ")";
      new TextEncoder().encodeInto(text, new Uint8Array(memory.buffer));
    },
    childInit({ shm, requests }) {
      const bytes = new Uint8Array(shm.attach("greeting").buffer);
      requests.use((req, res) => {
        if (req.url !== "/greeting") return false;
        res.end(new TextDecoder().decode(bytes).replace(/\\0+$/, ""));
        return true;
      });
    },
  },
});`;
const FAILING = `import { defineModule } from ${INDEX};
export default defineModule({
  name: "failing",
  hooks: {
    postConfig({ shm }) {
      shm.create("scratch", 64);
      throw new Error("no database");
    },
  },
});`;

it("gives a module added on a graceful restart its shared memory before its childInit", {
  timeout: 60_000,
}, async () => {
  const drover = await startDrover({
    app: `export default (_req: any, res: any) => res.end("app");`,
    config: { startServers: 2 },
    files: { "greeter.ts": GREETER, "failing.ts": FAILING },
  });
  const prefix = `drover-${runFiles(drover.runDir).id}-`;
  // The master's module segments (memfds, named after the run; the scoreboard's name has no dash here).
  const files = () => memfdsOf(drover.proc.pid, prefix);
  try {
    const masterPid = (await drover.status()).masterPid;
    assert.equal((await drover.request("/greeting")).body, "app");

    drover.writeConfig({ startServers: 2, modules: [{ use: "./greeter.ts" }] });
    const reload = await drover.cli("reload");
    assert.equal(reload.status, 0, reload.stderr);
    assert.equal(
      (await drover.request("/greeting")).body,
      `made by master ${masterPid} for generation 1 (graceful)`,
    );
    assert.equal(files().length, 1);

    drover.writeConfig({ startServers: 2, modules: [{ use: "./greeter.ts" }, { use: "./failing.ts" }] });
    const failed = await drover.cli("reload");
    assert.notEqual(failed.status, 0);
    assert.match(failed.stderr, /module "failing" failed in its postConfig hook: no database/);
    assert.equal(
      (await drover.request("/greeting")).body,
      `made by master ${masterPid} for generation 1 (graceful)`,
      "generation 1 keeps serving, its memory untouched",
    );
    assert.equal(files().length, 1, "the failed generation's new memory is removed");
  } finally {
    await drover.stop();
  }
  assert.deepEqual(files(), []);
  assert.deepEqual(devShmEntries(prefix), [], "never anything in /dev/shm");
});
