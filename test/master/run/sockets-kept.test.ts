// The run directory's sockets, removed while the master runs (a clean-up of the folder): the master
// listens there again within its maintenance pass, says so, and the connections made before go on.
import assert from "node:assert/strict";
import { existsSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { connect } from "../../../src/client/index.ts";
import { waitFor } from "../../harness/wait.ts";
import { startServices } from "../../support/services.ts";

it("listens again on dispatch.sock and control.sock when they are removed", {
  timeout: 60_000,
}, async (t) => {
  const host = await startServices();
  t.after(() => host.stop());
  const before = await host.client();
  assert.equal(await before.service("math").call("add", { a: 1, b: 2 }), 3);
  const dispatchSocket = join(host.runDir, "dispatch.sock");
  const controlSocket = join(host.runDir, "control.sock");
  unlinkSync(dispatchSocket);
  unlinkSync(controlSocket);

  await waitFor("both sockets back", () => existsSync(dispatchSocket) && existsSync(controlSocket));
  await host.proc.waitForOutput(
    /dispatch\.sock and .*control\.sock were removed while the master runs: listening there again/,
  );
  const after = await connect({ runDir: host.runDir });
  t.after(() => after.close());
  assert.equal(await after.service("math").call("add", { a: 2, b: 2 }), 4, "a new caller reaches the master");
  assert.equal(
    await before.service("math").call("add", { a: 3, b: 3 }),
    6,
    "the connection made before goes on",
  );
  const status = await host.cli("status");
  assert.equal(status.status, 0, status.stderr);
});
