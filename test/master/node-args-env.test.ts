// nodeArgs and env under a real master: the children and the drones start with the config's Node
// options (a heap limit, an --import preloaded from the config's folder) and environment; a reload
// after the config file changed gives the new generation the new ones (a new secret without a stop),
// while a child of the old generation, still finishing a request, keeps its own.
import assert from "node:assert/strict";
import { get, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { startDrover } from "../support/drover.ts";

const SRC = JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname);

// What a child or a drone knows of its own start.
const FACTS = `
import { getCompileCacheDir } from "node:module";
import { getHeapStatistics } from "node:v8";
export const facts = () => ({
  compileCache: getCompileCacheDir() ?? null,
  pid: process.pid,
  secret: process.env.SECRET ?? null,
  heapMiB: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
  apm: (globalThis as { apm?: string }).apm ?? null,
  execArgv: process.execArgv,
});
`;

// GET / answers the child's facts, /drone the facts of a drone of the "probe" service, and /hold
// answers the child's facts only when the child begins to drain.
const APP = `
import type { ServerResponse } from "node:http";
import { defineApp } from ${SRC};
import { facts } from "./facts.ts";

let drain: AbortSignal | undefined;
let probe: { call(method: string, params: unknown): Promise<unknown> } | undefined;
const send = (response: ServerResponse, body: unknown) => {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
};
export default defineApp({
  handler: (request, response) => {
    if (request.url === "/hold") {
      response.writeHead(200, { "content-type": "application/json" });
      response.flushHeaders();
      drain?.addEventListener("abort", () => response.end(JSON.stringify(facts())), { once: true });
    } else if (request.url === "/drone") {
      void probe?.call("facts", {}).then((body) => send(response, body));
    } else send(response, facts());
  },
  childInit: ({ drainSignal, client }) => {
    drain = drainSignal;
    probe = client?.service("probe");
  },
});
`;

const PROBE = `
import { defineService } from ${SRC};
import { facts } from "./facts.ts";
export default defineService({ methods: { facts: () => facts() } });
`;

interface Facts {
  readonly pid: number;
  readonly secret: string | null;
  readonly heapMiB: number;
  readonly apm: string | null;
  readonly execArgv: readonly string[];
  readonly compileCache: string | null;
}

function getFacts(port: number, path: string): { headers: Promise<IncomingMessage>; body: Promise<Facts> } {
  const headers = Promise.withResolvers<IncomingMessage>();
  const body = new Promise<Facts>((resolve, reject) => {
    const request = get({ host: "127.0.0.1", port, path, agent: false, timeout: 30_000 }, (response) => {
      headers.resolve(response);
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve(JSON.parse(text) as Facts));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on("error", (error) => {
      headers.reject(error);
      reject(error);
    });
  });
  return { headers: headers.promise, body };
}

it("starts children and drones with nodeArgs and env, and a reload gives the new generation new ones", {
  timeout: 120_000,
}, async (t) => {
  const services = [{ name: "probe", module: "./probe.ts", minDrones: 1, maxDrones: 1 }];
  const drover = await startDrover({
    app: APP,
    files: {
      "facts.ts": FACTS,
      "probe.ts": PROBE,
      "apm.mjs": 'globalThis.apm = "loaded before the app";\n',
    },
    config: { startServers: 1, services, nodeArgs: ["--max-old-space-size=200"], env: { SECRET: "one" } },
    // As a master started by hand: no compile cache of the test runner's.
    env: { NODE_COMPILE_CACHE: undefined },
  });
  t.after(() => drover.stop());

  const child0 = await getFacts(drover.port, "/").body;
  const drone0 = await getFacts(drover.port, "/drone").body;
  for (const [who, facts] of [
    ["child", child0],
    ["drone", drone0],
  ] as const) {
    assert.equal(facts.secret, "one", `the ${who} has the config's env`);
    assert.ok(facts.execArgv.includes("--max-old-space-size=200"), `the ${who} has the config's nodeArgs`);
    // Node's own default is several GiB on this machine.
    assert.ok(facts.heapMiB < 1_000, `the ${who}'s heap limit is the config's (${facts.heapMiB} MiB)`);
    assert.equal(facts.apm, null);
    assert.ok(
      facts.compileCache?.startsWith(join(tmpdir(), "node-compile-cache")),
      `the ${who} starts with Node's compile cache on, in Node's own folder (${facts.compileCache})`,
    );
  }

  // A request that the child of generation 0 answers only once it drains.
  const held = getFacts(drover.port, "/hold");
  await held.headers;

  drover.writeConfig({
    startServers: 1,
    services,
    nodeArgs: ["--max-old-space-size=300", "--import=./apm.mjs"],
    env: { SECRET: "two", NODE_COMPILE_CACHE: join(drover.dir.path, "compile-cache") },
  });
  const reloaded = await drover.cli("reload");
  assert.equal(reloaded.status, 0, reloaded.stderr);

  const child1 = await getFacts(drover.port, "/").body;
  const drone1 = await getFacts(drover.port, "/drone").body;
  assert.notEqual(child1.pid, child0.pid);
  assert.notEqual(drone1.pid, drone0.pid);
  for (const [who, facts, before] of [
    ["child", child1, child0],
    ["drone", drone1, drone0],
  ] as const) {
    assert.equal(facts.secret, "two", `the new ${who} has the new env`);
    assert.ok(facts.execArgv.includes("--max-old-space-size=300"), `the new ${who} has the new nodeArgs`);
    assert.ok(facts.heapMiB > before.heapMiB, `the new ${who}'s heap limit is the new one`);
    assert.equal(facts.apm, "loaded before the app", `the new ${who} preloaded --import=./apm.mjs`);
    assert.ok(
      facts.compileCache?.startsWith(join(drover.dir.path, "compile-cache")),
      `the new ${who} keeps its compile cache where the config's env says (${facts.compileCache})`,
    );
  }

  // The old child answers its last request with what it started with.
  const last = await held.body;
  assert.equal(last.pid, child0.pid);
  assert.equal(last.secret, "one");
  assert.ok(last.execArgv.includes("--max-old-space-size=200"));
});
