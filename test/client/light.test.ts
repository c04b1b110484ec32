// The client stays light: importing drover/client loads Node's own modules, the wire format, the error
// codes and the duration reader, and nothing of the master, no logger, no dependency.
import assert from "node:assert/strict";
import { it } from "node:test";
import { spawnNode } from "../harness/process.ts";

const CLIENT = new URL("../../src/client/index.ts", import.meta.url).href;
const SRC = new URL("../../src/", import.meta.url).href;

it("importing the client loads no module of the master and no dependency", { timeout: 60_000 }, async (t) => {
  const script =
    'import { registerHooks } from "node:module";\n' +
    "const loaded = [];\n" +
    "registerHooks({ resolve(specifier, context, next) { const found = next(specifier, context); loaded.push(found.url); return found; } });\n" +
    `await import(${JSON.stringify(CLIENT)});\n` +
    "console.log(JSON.stringify(loaded));\n";
  const child = await spawnNode("--input-type=module", ["-e", script], { cleanup: (fn) => t.after(fn) });
  assert.equal((await child.waitForExit(30_000)).code, 0, child.output());
  const loaded = JSON.parse(child.output()) as string[];
  const ours = loaded.filter((url) => url.startsWith(SRC)).map((url) => url.slice(SRC.length));
  const others = loaded.filter((url) => !url.startsWith(SRC) && !url.startsWith("node:"));
  assert.deepEqual(others, [], "no dependency");
  const allowed =
    /^(client\/[\w-]+\.ts|dispatch\/wire\/[\w-]+\.ts|errors\.ts|config\/(duration|errors|suggest)\.ts)$/;
  assert.deepEqual(
    ours.filter((file) => !allowed.test(file)),
    [],
    `the client loaded ${ours.join(", ")}`,
  );
  assert.ok(ours.includes("client/index.ts"));
});
