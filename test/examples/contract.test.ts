// The app contract's refusals: a module whose default export drover cannot serve makes `drover start` fail
// at once, with a message that says what to export (no fork loop, no process left), and defineApp
// refuses a definition with both or neither of `handler` and `createServer`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineApp } from "../../src/index.ts";
import { startDrover } from "../support/drover.ts";

const DEFINE_APP = JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname);
const WHAT_TO_EXPORT =
  /must default-export a request handler `\(req, res\) => void` or `defineApp\(\{ \.\.\. \}\)`/;
const ONE_OF = /defineApp\(\) needs exactly one of `handler` \(a request handler\) or `createServer`/;

/** Starts drover on `app` and expects it to give up: exit status 1 and `message` in its output. */
async function refusedAtStart(app: string, message: RegExp): Promise<void> {
  const drover = await startDrover({ app, config: { startServers: 2 }, waitReady: false });
  try {
    const exit = await drover.proc.waitForExit(30_000);
    const output = drover.proc.output();
    assert.deepEqual(exit, { code: 1, signal: null }, output);
    assert.match(output, /a child of generation 0 could not initialise/);
    assert.match(output, message);
    assert.doesNotMatch(output, /is served on/);
  } finally {
    // Proves the master's whole process group gone, children included.
    await drover.stop();
  }
}

describe("drover start refuses an app it cannot serve", () => {
  it("a default export that is a number", { timeout: 60_000 }, async () => {
    await refusedAtStart("export default 42;\n", new RegExp(`${WHAT_TO_EXPORT.source}, got number`));
  });

  it("no default export", { timeout: 60_000 }, async () => {
    await refusedAtStart(
      "export function handler(_req: unknown, res: { end(): void }): void {\n  res.end();\n}\n",
      // A module that exports nothing and has nothing under way (no listen() to come) is refused at once.
      new RegExp(
        `${WHAT_TO_EXPORT.source}, got no default export; or have the module call listen\\(\\) on its server`,
      ),
    );
  });

  it("a framework object that is not a handler (a Hono app exported as it is)", {
    timeout: 60_000,
  }, async () => {
    await refusedAtStart(
      `import { Hono } from ${JSON.stringify(import.meta.resolve("hono"))};\n` +
        'export default new Hono().get("/", (c) => c.text("hi"));\n',
      new RegExp(`${WHAT_TO_EXPORT.source}, got object`),
    );
  });

  it("defineApp with neither handler nor createServer", { timeout: 60_000 }, async () => {
    await refusedAtStart(`import { defineApp } from ${DEFINE_APP};\nexport default defineApp({});\n`, ONE_OF);
  });

  it("defineApp with both handler and createServer", { timeout: 60_000 }, async () => {
    await refusedAtStart(
      `import { createServer } from "node:http";\nimport { defineApp } from ${DEFINE_APP};\n` +
        "const handler = (_req: unknown, res: { end(): void }) => res.end();\n" +
        "export default defineApp({ handler, createServer: () => createServer(handler) });\n",
      ONE_OF,
    );
  });

  it("createServer that returns no server", { timeout: 60_000 }, async () => {
    await refusedAtStart(
      `import type { Server } from "node:http";\nimport { defineApp } from ${DEFINE_APP};\n` +
        "export default defineApp({ createServer: () => ({}) as Server });\n",
      /createServer\(\) must return a Node http\.Server/,
    );
  });

  it("a childInit that throws: its message is the reason", { timeout: 60_000 }, async () => {
    await refusedAtStart(
      `import { defineApp } from ${DEFINE_APP};\n` +
        "export default defineApp({\n" +
        "  handler: (_req, res) => res.end(),\n" +
        '  childInit: async () => { throw new Error("cannot reach the database at db:5432"); },\n' +
        "});\n",
      /could not initialise: .*childInit.*: cannot reach the database at db:5432/,
    );
  });

  it("a childInit that exits with EXIT_CHILD_FATAL", { timeout: 60_000 }, async () => {
    await refusedAtStart(
      `import { defineApp, EXIT_CHILD_FATAL } from ${DEFINE_APP};\n` +
        "export default defineApp({\n" +
        "  handler: (_req, res) => res.end(),\n" +
        "  childInit: () => process.exit(EXIT_CHILD_FATAL),\n" +
        "});\n",
      /could not initialise/,
    );
  });

  it("TypeScript that type stripping cannot run (an enum)", { timeout: 60_000 }, async () => {
    await refusedAtStart(
      "enum Color { Red }\nexport default (_req: unknown, res: { end(s: string): void }) => res.end(String(Color.Red));\n",
      /TypeScript enum is not supported in strip-only mode/,
    );
  });
});

describe("defineApp", () => {
  const handler = () => {};
  const createServer = () => {
    throw new Error("not called");
  };

  it("takes exactly one of handler and createServer", () => {
    assert.throws(() => defineApp({}), { name: "TypeError", message: ONE_OF });
    assert.throws(() => defineApp({ handler, createServer }), { name: "TypeError", message: ONE_OF });
    assert.equal(defineApp({ handler }).handler, handler);
    assert.equal(defineApp({ createServer }).createServer, createServer);
  });

  it("refuses hooks that are not functions, and a definition that is not an object", () => {
    assert.throws(() => defineApp({ handler, childInit: 1 as never }), {
      name: "TypeError",
      message: /`childInit` must be a function/,
    });
    assert.throws(() => defineApp({ handler, childExit: "x" as never }), {
      name: "TypeError",
      message: /`childExit` must be a function/,
    });
    assert.throws(() => defineApp(null as never), { name: "TypeError", message: /takes an object/ });
  });
});
