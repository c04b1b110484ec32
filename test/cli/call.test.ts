// `drover call`: against the embedded transport's server in this process with the test dispatcher (a
// master with services is not part of this test): the result as JSON, binary data as base64 with a
// note, `CODE: message` and exit 1 on failure, exit 2 on bad usage; the socket from --socket, --run-dir
// or the config's runDir.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { deserialize, serialize } from "node:v8";
import { listenEmbedded } from "../../src/transports/embedded/index.ts";
import { makeTempDir } from "../harness/temp.ts";
import { runCli } from "../support/drover.ts";
import { startServer } from "../transports/embedded/server.ts";
import { METHODS, testDispatcher } from "../transports/embedded/test-dispatcher.ts";

it("prints the result as JSON and exits 0", { timeout: 60_000 }, async (t) => {
  const { path, dir } = await startServer(t);
  const result = await runCli(["call", "math", "add", '{"a":40,"b":2}', "--socket", path], dir.path);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, "42\n");
  assert.equal(result.stderr, "");
});

it("prints binary data as base64, and says so on stderr", { timeout: 60_000 }, async (t) => {
  const { path, dir } = await startServer(t);
  const result = await runCli(["call", "math", "bytes", "--socket", path], dir.path);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), {
    raw: Buffer.from("drover").toString("base64"),
    big: (2n ** 64n).toString(),
    tags: ["a"],
  });
  assert.match(result.stderr, /note: binary data is shown as base64 strings/);
  assert.match(result.stderr, /note: big integers are shown as strings/);
});

it("prints NaN and Infinity as strings, not as JSON's null, and says so", { timeout: 60_000 }, async (t) => {
  const { path, dir } = await startServer(t);
  // JSON.parse reads 1e400 as Infinity, which the echo sends back.
  const result = await runCli(["call", "math", "echo", '{"x":1e400,"y":-1e400}', "--socket", path], dir.path);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { x: "Infinity", y: "-Infinity" });
  assert.match(result.stderr, /note: NaN and Infinity are shown as strings/);
});

it("a method that returns nothing prints nothing, and says so", { timeout: 60_000 }, async (t) => {
  const { path, dir } = await startServer(t);
  const result = await runCli(["call", "math", "echo", "--socket", path], dir.path);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /returned undefined/);
});

it("a failed call prints CODE: message, what was thrown, the methods; exits 1", {
  timeout: 60_000,
}, async (t) => {
  const { path, dir } = await startServer(t);
  const failed = await runCli(["call", "math", "fail", "--socket", path], dir.path);
  assert.equal(failed.status, 1);
  assert.equal(failed.stdout, "");
  assert.match(failed.stderr, /^DROVER_ERR_METHOD_FAILED: math\.fail threw TypeError: boom$/m);
  assert.match(failed.stderr, /thrown in the drone:\n\s+TypeError: boom\n\s+at fail \(math\.ts:3:9\)/);
  assert.match(
    failed.stderr,
    /^ {2}its code: E_BOOM$/m,
    "the error's own code, which callers tell errors apart by",
  );
  const missing = await runCli(["call", "math", "divide", "1", "--socket", path], dir.path);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^DROVER_ERR_NO_SUCH_METHOD: /m);
  assert.match(missing.stderr, new RegExp(`the service's methods: ${METHODS.join(", ")}`));
  const slow = await runCli(["call", "math", "never", "--timeout", "200ms", "--socket", path], dir.path);
  assert.equal(slow.status, 1);
  assert.match(slow.stderr, /^DROVER_ERR_DISPATCH_TIMEOUT: math\.never got no answer/m);
});

it("exits 3 when no master serves services there: no socket, or nobody listening on it", {
  timeout: 60_000,
}, async (t) => {
  const dir = makeTempDir("drover-test-call-");
  t.after(dir.remove);
  const missing = await runCli(
    ["call", "math", "add", "--socket", join(dir.path, "dispatch.sock")],
    dir.path,
  );
  assert.equal(missing.status, 3, missing.stderr);
  assert.match(missing.stderr, /^DROVER_ERR_DISPATCH_CONNECTION: cannot connect to .*\(ENOENT\)/m);
  // Left behind, with nobody listening on it (connecting is refused).
  const stale = join(dir.path, "stale.sock");
  writeFileSync(stale, "");
  const refused = await runCli(["call", "math", "add", "--socket", stale], dir.path);
  assert.equal(refused.status, 3, refused.stderr);
  assert.match(refused.stderr, /\(ECONNREFUSED\)/);
});

it("finds the socket in --run-dir, or in the runDir of --config (or of the config here)", {
  timeout: 60_000,
}, async (t) => {
  const dir = makeTempDir("drover-test-call-");
  t.after(dir.remove);
  // Two masters' run directories: ./run (the config here says so) and ./other (conf/other.json's).
  for (const [runDir, answer] of [
    ["run", 1],
    ["other", 1000],
  ] as const) {
    mkdirSync(join(dir.path, runDir));
    const dispatcher = testDispatcher();
    const add = dispatcher.call.bind(dispatcher);
    // Each adds its own amount, so the answer says which one was reached.
    dispatcher.call = (request, reply) =>
      add(request, {
        ok: (body) => reply.ok(serialize((deserialize(body) as number) * answer)),
        fail: reply.fail,
      });
    const server = await listenEmbedded(join(dir.path, runDir, "dispatch.sock"), dispatcher, {
      warn: () => {},
    });
    t.after(() => server.close());
  }
  writeFileSync(join(dir.path, "app.ts"), "export default (_req: any, res: any) => res.end();\n");
  writeFileSync(join(dir.path, "drover.config.json"), JSON.stringify({ app: "./app.ts", runDir: "./run" }));
  mkdirSync(join(dir.path, "conf"));
  writeFileSync(
    join(dir.path, "conf", "other.json"),
    JSON.stringify({ app: "../app.ts", runDir: "../other" }),
  );

  const call = (...args: string[]) => runCli(["call", "math", "add", '{"a":1,"b":1}', ...args], dir.path);
  const here = await call();
  assert.equal(here.stdout, "2\n", here.stderr);
  const byRunDir = await call("--run-dir", "other");
  assert.equal(byRunDir.stdout, "2000\n", byRunDir.stderr);
  const byConfig = await call("--config", "conf/other.json");
  assert.equal(byConfig.stdout, "2000\n", byConfig.stderr);

  const nowhere = await call("--run-dir", "elsewhere");
  assert.equal(nowhere.status, 3, "no master there");
  assert.match(
    nowhere.stderr,
    /^DROVER_ERR_DISPATCH_CONNECTION: cannot connect to .*elsewhere\/dispatch\.sock/m,
  );
  assert.match(nowhere.stderr, /--run-dir/);
});

it("bad usage exits 2 and says what to give", { timeout: 60_000 }, async (t) => {
  const { path, dir, dispatcher } = await startServer(t);
  const cases: [string[], RegExp][] = [
    [["call", "math"], /give a service, a method and optionally the params/],
    [["call", "math", "add", "{a:1}"], /the params are not JSON/],
    [["call", "math", "add", "1", "2"], /unexpected argument "2"/],
    [["call", "math", "add", "--timeout", "soon"], /--timeout takes a duration/],
    [["call", "math", "add", "--timeout", "0"], /more than 0/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli([...args, "--socket", path], dir.path);
    assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  assert.equal(dispatcher.calls.size, 0);
});
