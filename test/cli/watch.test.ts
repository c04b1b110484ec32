// `drover start --watch`: saving the app reloads the master gracefully and the new code answers; a save
// that does not load (a syntax error) leaves the running generation serving and the log says why; a
// change in node_modules is not what reloads. One master for all of it.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { startDrover } from "../support/drover.ts";

const app = (version: string) =>
  `export default (_req: unknown, res: { end(body: string): void }) => res.end(${JSON.stringify(version)});\n`;

it("start --watch reloads on a change of the app, and keeps serving through one that does not load", {
  timeout: 120_000,
}, async (t) => {
  const drover = await startDrover({ app: app("v1"), args: ["--watch"], config: { startServers: 1 } });
  t.after(() => drover.stop());
  const file = (name: string) => join(drover.dir.path, name);
  assert.equal((await drover.request("/")).body, "v1");
  await drover.proc.waitForOutput(/watch: a change under .* reloads gracefully/);

  // A change in node_modules, then one of the app: one reload, for the app alone.
  mkdirSync(file("node_modules/dep"), { recursive: true });
  writeFileSync(file("node_modules/dep/index.js"), "export {};\n");
  writeFileSync(file("app.ts"), app("v2"));
  await waitFor("the new app to answer", async () => (await drover.request("/")).body === "v2");
  const reloading =
    drover.proc.output().match(/"files":(\[[^\]]*\])[^\n]*"msg":"watch: [^"]*: reloading"/g) ?? [];
  assert.deepEqual(reloading, ['"files":["app.ts"],"msg":"watch: app.ts changed: reloading"']);
  await drover.proc.waitForOutput(/watch: generation 1 serves the change/);

  // A syntax error: generation 1 serves on, and the log says why.
  writeFileSync(file("app.ts"), "export default (;\n");
  await drover.proc.waitForOutput(/watch: the change is not served, generation 1 serves on/);
  assert.match(
    drover.proc.output(),
    /reload failed: graceful restart failed; generation 1 keeps serving: .*SyntaxError/,
  );
  assert.equal((await drover.request("/")).body, "v2");

  // Fixed: the next save is served.
  writeFileSync(file("app.ts"), app("v3"));
  await waitFor("the fixed app to answer", async () => (await drover.request("/")).body === "v3");
  // Generation 2 was used up by the failed reload.
  await drover.proc.waitForOutput(/watch: generation 3 serves the change/);
});
