// Importing an app that calls listen() itself, in this process (as a child does): the first listen()
// binds nothing and is what the child serves, the app is told it listens (callback, 'listening',
// address()), a second binding of the same port binds nothing, another server binds with a warning, a
// default export wins over a listen(), a listen() after the module loaded is waited for while the app
// has work under way, and once loaded, listen() and node:cluster are Node's own again.
import assert from "node:assert/strict";
import cluster from "node:cluster";
import { writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { connect, Server as NetServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { importApp } from "../../../src/child/listen/import-app.ts";
import type { Logger } from "../../../src/log/logger.ts";
import { freePort } from "../../harness/ports.ts";
import { makeTempDir, type TempDir } from "../../harness/temp.ts";

/** What the apps below leave for the test to look at and close. */
interface Seen {
  called?: boolean;
  listening?: boolean;
  address?: unknown;
  primary?: boolean;
  again?: string;
  servers?: NetServer[];
}
const seen = globalThis as typeof globalThis & { seen?: Seen };

// Where drover serves (the master's listener, in the spec's form); nothing needs to listen there.
const DROVER = "127.0.0.1:47999";
const NODE_LISTEN = NetServer.prototype.listen;

function collectingLog(): { log: Logger; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push({ level, msg: String(args.find((arg) => typeof arg === "string")) });
  const log = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { log: log as unknown as Logger, lines };
}

/** Whether anything accepts connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("importApp with an app that calls listen()", () => {
  let dir: TempDir;
  let appPort: number;
  let count = 0;
  const app = (source: string) => {
    const file = join(dir.path, `app-${++count}.mjs`);
    writeFileSync(
      file,
      `import { createServer } from "node:http";\nimport cluster from "node:cluster";\n${source}`,
    );
    return file;
  };

  before(async () => {
    dir = makeTempDir("drover-test-listen-");
    appPort = await freePort();
  });
  after(() => dir.remove());

  it("serves the first server the module listens with, binds nothing, and tells the app it listens", async () => {
    seen.seen = {};
    const { log, lines } = collectingLog();
    const imported = await importApp(
      app(`
        const server = createServer((req, res) => res.end("hi"));
        globalThis.seen.primary = cluster.isPrimary;
        // A Fastify-like second binding of the same port (::1 beside 127.0.0.1): binds nothing either.
        const twin = createServer();
        server.listen(${appPort}, "127.0.0.1", () => {
          globalThis.seen.called = true;
          globalThis.seen.listening = server.listening;
          globalThis.seen.address = server.address();
          twin.listen(server.address().port, "::1");
        });
        try { server.listen(${appPort}); } catch (error) { globalThis.seen.again = error.code; }
        globalThis.seen.servers = [server, twin];
        // Top-level await of listen(), as Fastify's await app.listen() does.
        await new Promise((resolve) => server.once("listening", resolve));
      `),
      [DROVER],
      log,
    );
    assert.equal(imported.listened, true);
    const [server, twin] = seen.seen.servers ?? [];
    assert.equal(imported.definition.createServer?.(), server as Server);
    assert.deepEqual(
      { ...seen.seen, servers: undefined },
      {
        called: true,
        listening: true,
        address: { address: "127.0.0.1", family: "IPv4", port: 47999 },
        primary: false,
        again: "ERR_SERVER_ALREADY_LISTEN",
        servers: undefined,
      },
    );
    assert.equal(await accepts(appPort), false, "the app's port is not bound");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(twin?.listening, true, "the second binding is told it listens");
    assert.deepEqual(twin?.address(), { address: "127.0.0.1", family: "IPv4", port: 47999 });
    assert.match(
      lines.find((line) => line.level === "info")?.msg ?? "",
      new RegExp(
        `^app called listen\\(${appPort}, "127\\.0\\.0\\.1"\\); drover serves it on 127\\.0\\.0\\.1:47999 instead`,
      ),
    );
    // Afterwards listen() and node:cluster are Node's again.
    assert.equal(NetServer.prototype.listen, NODE_LISTEN);
    assert.equal(cluster.isPrimary, true);
    const plain = new NetServer();
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    assert.notEqual((plain.address() as { port: number }).port, 47999);
    plain.close();
    server?.close();
  });

  it("binds a second server on another port, with a warning, even while node:cluster says worker", async () => {
    seen.seen = {};
    const { log, lines } = collectingLog();
    const imported = await importApp(
      app(`
        const main = createServer().listen(${appPort});
        const metrics = createServer((req, res) => res.end("metrics"));
        await new Promise((resolve, reject) => {
          metrics.once("error", reject);
          metrics.listen(0, "127.0.0.1", resolve);
        });
        globalThis.seen.address = metrics.address();
        globalThis.seen.servers = [main, metrics];
      `),
      [DROVER],
      log,
    );
    const [main, metrics] = seen.seen.servers ?? [];
    assert.equal(imported.definition.createServer?.(), main as Server);
    const port = (seen.seen.address as { port: number }).port;
    assert.notEqual(port, 47999);
    assert.equal(await accepts(port), true, "the second server is bound");
    assert.match(
      lines.find((line) => line.level === "warn")?.msg ?? "",
      /^app called listen\(0, "127\.0\.0\.1"\) on a second server: drover serves only the first server the app listens with \(listen\(\d+\)\), so each child binds this one on its own/,
    );
    metrics?.close();
    main?.close();
  });

  it("serves a default export over a listen(), which binds nothing, and says to remove it", async () => {
    seen.seen = {};
    const { log, lines } = collectingLog();
    const imported = await importApp(
      app(`
        const handler = (req, res) => res.end("hi");
        globalThis.seen.servers = [createServer(handler).listen(${appPort})];
        export default handler;
      `),
      [DROVER],
      log,
    );
    assert.equal(imported.listened, false);
    assert.equal(typeof imported.definition.handler, "function");
    assert.equal(await accepts(appPort), false);
    assert.match(
      lines.find((line) => line.level === "warn")?.msg ?? "",
      new RegExp(
        `^app called listen\\(${appPort}\\) and default-exports what to serve: drover serves the default export on 127\\.0\\.0\\.1:47999, and the listen\\(\\) bound nothing; remove it`,
      ),
    );
    seen.seen.servers?.[0]?.close();
  });

  it("waits for a listen() that comes after the module loaded, while the app has work under way", async () => {
    seen.seen = {};
    const { log } = collectingLog();
    const imported = await importApp(
      app(`
        // As after a database connection: the module has loaded, listen() comes later.
        setTimeout(() => { globalThis.seen.servers = [createServer().listen(${appPort})]; }, 100);
      `),
      [DROVER],
      log,
    );
    assert.equal(imported.listened, true);
    assert.equal(imported.definition.createServer?.(), seen.seen.servers?.[0] as Server);
    seen.seen.servers?.[0]?.close();
  });
});
