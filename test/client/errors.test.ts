// How calls fail: the master's code and message, what the method threw (remote) and the methods there
// are; and what the client refuses before sending anything, or cannot connect to.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import {
  connect,
  DISPATCH_SOCKET_NAME,
  DispatchError,
  DroverError,
  isDroverError,
} from "../../src/client/index.ts";
import { ErrorCode } from "../../src/errors.ts";
import { listenEmbedded } from "../../src/transports/embedded/index.ts";
import { spawnNode } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { startServer } from "../transports/embedded/server.ts";
import { METHODS, testDispatcher } from "../transports/embedded/test-dispatcher.ts";

it("a method that threw: METHOD_FAILED with the master's message and what it threw", async (t) => {
  const { path } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const error = await client
    .service("math")
    .call("fail", undefined)
    .catch((caught: unknown) => caught);
  assert.ok(error instanceof DispatchError);
  assert.ok(error instanceof DroverError);
  assert.equal(error.code, ErrorCode.METHOD_FAILED);
  assert.equal(error.message, "math.fail threw TypeError: boom");
  assert.deepEqual(error.remote, {
    name: "TypeError",
    message: "boom",
    stack: "TypeError: boom\n    at fail (math.ts:3:9)",
    code: "E_BOOM",
  });
  assert.equal(error.methods, undefined);
});

it("a method that does not exist: NO_SUCH_METHOD with the service's methods", async (t) => {
  const { path } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const error = await client
    .service("math")
    .call("divide", 1)
    .catch((caught: unknown) => caught);
  assert.ok(isDroverError(error, ErrorCode.NO_SUCH_METHOD));
  assert.deepEqual((error as DispatchError).methods, METHODS);
  assert.equal((error as DispatchError).remote, undefined);
  assert.equal(error instanceof DispatchError, true);
  assert.equal(new DroverError(ErrorCode.INTERNAL, "x") instanceof DispatchError, false);
});

it("what cannot be sent is refused at once with DISPATCH_BAD_MESSAGE, nothing sent", async (t) => {
  const { path, dispatcher } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const math = client.service("math");
  const refusals: [string, Promise<unknown>, RegExp][] = [
    [
      "a function",
      math.call("echo", { f: () => 1 }),
      /params of math\.echo cannot be sent: .*could not be cloned/,
    ],
    ["a symbol", math.call("echo", Symbol("s")), /cannot be sent/],
    ["a bad method name", math.call("no such" as "echo", 1), /"no such" is not a method name/],
    ["a timeout without a unit", math.call("echo", 1, { timeout: "5" as "5s" }), /has no unit/],
    ["a zero timeout", math.call("echo", 1, { timeout: 0 }), /must be more than 0/],
    [
      "a negative timeout",
      math.call("echo", 1, { timeout: -5 }),
      /must not be negative, got -5: use more than 0/,
    ],
    ["a signal that is not one", math.call("echo", 1, { signal: {} as AbortSignal }), /not an AbortSignal/],
    ["a bad session timeout", math.session({ timeout: "soon" as "1s" }), /is not a duration/],
    [
      "an option it does not know",
      math.call("echo", 1, { tiemout: "5s" } as never),
      /a call of math\.echo has no option "tiemout": did you mean "timeout"\?; nothing was sent/,
    ],
    [
      "a session option it does not know",
      math.session({ reconect: true } as never),
      /did you mean "reconnect"\?/,
    ],
  ];
  for (const [what, call, message] of refusals) {
    await assert.rejects(
      call,
      (error) => isDroverError(error, ErrorCode.DISPATCH_BAD_MESSAGE) && message.test(error.message),
      what,
    );
  }
  assert.throws(
    () => client.service("bad service"),
    (error) =>
      isDroverError(error, ErrorCode.DISPATCH_BAD_MESSAGE) && /is not a service name/.test(error.message),
  );
  assert.equal(dispatcher.calls.size, 0, "nothing reached the master");
  assert.equal(await math.call("add", { a: 1, b: 1 }), 2, "the connection is unharmed");
});

it("a connect that fails names the socket and what to do", async (t) => {
  const dir = makeTempDir("drover-test-client-");
  t.after(dir.remove);
  const missing = join(dir.path, "run");
  await assert.rejects(connect({ runDir: missing }), (error) => {
    assert.ok(isDroverError(error, ErrorCode.DISPATCH_CONNECTION));
    assert.ok(error.message.includes(join(missing, DISPATCH_SOCKET_NAME)), error.message);
    assert.match(
      error.message,
      /ENOENT.*is drover running with services in that run directory\? see drover status/,
    );
    return true;
  });
  const notASocket = join(dir.path, "file.sock");
  writeFileSync(notASocket, "");
  await assert.rejects(connect({ socket: notASocket }), (error) => {
    assert.ok(isDroverError(error, ErrorCode.DISPATCH_CONNECTION));
    assert.match(error.message, /ECONNREFUSED/);
    return true;
  });
  for (const options of [{ runDir: "" }, { socket: 5 as unknown as string }, { timeout: "1" as "1s" }]) {
    await assert.rejects(connect(options), (error) => isDroverError(error, ErrorCode.DISPATCH_BAD_MESSAGE));
  }
  await assert.rejects(
    connect({ runDir: missing, tiemout: "5s" } as never),
    (error) =>
      isDroverError(error, ErrorCode.DISPATCH_BAD_MESSAGE) &&
      /connect\(\) has no option "tiemout": did you mean "timeout"\?/.test(error.message),
  );
  await assert.rejects(
    connect({ nats: { servers: "127.0.0.1:4222", service: {} } } as never),
    (error) =>
      isDroverError(error, ErrorCode.DISPATCH_BAD_MESSAGE) && /did you mean "services"\?/.test(error.message),
  );
  await assert.rejects(
    connect(null as never),
    (error) => isDroverError(error, ErrorCode.DISPATCH_BAD_MESSAGE) && /got null$/.test(error.message),
  );
});

it("connect() with no options finds dispatch.sock in ./.drover", { timeout: 60_000 }, async (t) => {
  const dir = makeTempDir("drover-test-client-");
  t.after(dir.remove);
  mkdirSync(join(dir.path, ".drover"));
  const server = await listenEmbedded(join(dir.path, ".drover", DISPATCH_SOCKET_NAME), testDispatcher(), {
    warn: () => {},
  });
  t.after(() => server.close());
  const script = join(dir.path, "caller.ts");
  const client = new URL("../../src/client/index.ts", import.meta.url).href;
  writeFileSync(
    script,
    `import { connect } from ${JSON.stringify(client)};\n` +
      "const client = await connect();\n" +
      'console.log("sum", await client.service("math").call("add", { a: 20, b: 3 }));\n' +
      "await client.close();\n",
  );
  const caller = await spawnNode(script, [], { cwd: dir.path, cleanup: (fn) => t.after(fn) });
  assert.equal((await caller.waitForExit(30_000)).code, 0, caller.output());
  assert.match(caller.output(), /^sum 23$/m);
});
