// `drover init`: in an empty folder it writes a config, an app and a package.json that `drover start`
// serves at once; in a project it uses the app there, sets what is missing in package.json, keeps the
// project CommonJS when its own code is, and writes over nothing of the user's without --force.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { applyPlan, planInit, SCRIPTS } from "../../src/cli/init/plan.ts";
import { ErrorCode, isDroverError } from "../../src/errors.ts";
import { freePort } from "../harness/ports.ts";
import { spawnNode } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { CLI, httpGet, runCli } from "../support/drover.ts";

function project(t: { after: (fn: () => void) => void }, files: Record<string, string> = {}): string {
  const dir = makeTempDir("drover-test-init-");
  t.after(() => dir.remove());
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir.path, name, ".."), { recursive: true });
    writeFileSync(join(dir.path, name), content);
  }
  return dir.path;
}

const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");
const packageJson = (dir: string) => JSON.parse(read(dir, "package.json")) as Record<string, unknown>;
const init = (dir: string, force = false, service?: string) => {
  const plan = planInit(dir, { force, service });
  applyPlan(plan);
  return plan;
};

describe("drover init, from scratch", () => {
  it("writes what `drover start` serves at once, and says what it did and what to run next", {
    timeout: 60_000,
  }, async (t) => {
    const dir = join(project(t), "my app");
    const result = await runCli(["init", "--dir", "my app"], join(dir, ".."));
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /^ {2}wrote drover\.config\.ts: the config: the app \.\/app\.ts on 127\.0\.0\.1:8080/m,
    );
    assert.match(result.stdout, /^ {2}wrote app\.ts: /m);
    assert.match(
      result.stdout,
      /^ {2}wrote package\.json: new: "type": "module"; scripts start, stop, reload, status$/m,
    );
    assert.match(result.stdout, /^Next:\n {2}npm install drover\n {2}npm start /m);
    assert.deepEqual(packageJson(dir), { name: "my-app", private: true, type: "module", scripts: SCRIPTS });
    // The config imports drover's types only: it loads with no drover in node_modules.
    assert.match(read(dir, "drover.config.ts"), /^import type \{ DroverConfig \} from "drover";$/m);

    const port = await freePort();
    // One child is enough to serve it, and costs the machine less than the default one per CPU.
    const master = await spawnNode(CLI, ["start", "--start-servers", "1"], {
      cwd: dir,
      env: { PORT: String(port) },
      ready: /is served on/,
      readyTimeoutMs: 30_000,
      cleanup: (stop) => t.after(stop),
    });
    const served = await httpGet(port, "/hello");
    assert.equal(served.status, 200);
    assert.match(served.body, /^hello from drover child \d+: GET \/hello$/m);
    assert.equal((await httpGet(port, "/server-status?auto")).status, 200, "the status module is on");
    assert.deepEqual(await master.stop(), { code: 0, signal: null });
  });
});

describe("drover init, in a project", () => {
  it("npm init -y's CommonJS package.json: type module, the user's scripts kept", (t) => {
    const dir = project(t, {
      "package.json":
        '{\n    "name": "shop",\n    "type": "commonjs",\n    "scripts": { "test": "node --test", "start": "node app.ts" }\n}\n',
      "app.ts": "export default () => {};\n",
    });
    const plan = init(dir);
    assert.deepEqual(
      plan.writes.map((file) => file.name),
      ["drover.config.ts", "package.json"],
      "the app is theirs",
    );
    const pkg = packageJson(dir);
    assert.equal(pkg.type, "module");
    assert.deepEqual(pkg.scripts, { ...SCRIPTS, test: "node --test", start: "node app.ts" });
    assert.match(read(dir, "package.json"), /^ {4}"name": "shop",$/m, "its indentation kept");
    assert.ok(plan.notes.includes("the app is your ./app.ts: left as it is"));
    assert.ok(plan.notes.some((note) => note.startsWith('kept your "start" script ("node app.ts")')));
    assert.match(
      plan.writes[1]?.what ?? "",
      /"type": "module" \(it was "commonjs"\); scripts stop, reload, status/,
    );
  });

  it("a project whose code is CommonJS stays so: CommonJS files, its type untouched", async (t) => {
    const dir = project(t, {
      "package.json": '{ "name": "legacy", "main": "lib/server.js" }\n',
      "lib/server.js": 'const http = require("node:http");\nmodule.exports = (req, res) => res.end("cjs");\n',
    });
    const plan = init(dir);
    assert.equal(packageJson(dir).type, undefined);
    const config = read(dir, "drover.config.ts");
    assert.match(config, /^module\.exports = \{\n {2}app: "\.\/lib\/server\.js",$/m);
    assert.match(config, /^\} satisfies import\("drover"\)\.DroverConfig;$/m);
    assert.ok(!existsSync(join(dir, "app.ts")));
    assert.ok(
      plan.notes.some((note) => /lib\/server\.js is CommonJS, which "type": "module" would break/.test(note)),
    );
    // What it wrote loads as it is: configtest loads the config and the app.
    const check = await runCli(["configtest"], dir);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /the app loads: it exports a request handler/);
  });

  it("writes over nothing of the user's without --force; with it, the config and scripts", (t) => {
    const dir = project(t);
    init(dir);
    writeFileSync(join(dir, "drover.config.ts"), "// mine\n");
    writeFileSync(join(dir, "app.ts"), "// my app\n");
    const pkg = packageJson(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ ...pkg, scripts: { start: "mine" } }));

    const again = init(dir);
    assert.deepEqual(
      again.writes.map((file) => file.name),
      ["package.json"],
      "only the scripts missing",
    );
    assert.equal(read(dir, "drover.config.ts"), "// mine\n");
    assert.equal((packageJson(dir).scripts as Record<string, string>).start, "mine");
    assert.ok(again.notes.some((note) => note.startsWith("drover.config.ts already here: left as it is")));

    const forced = init(dir, true);
    assert.deepEqual(
      forced.writes.map((file) => file.name),
      ["drover.config.ts", "package.json"],
    );
    assert.match(read(dir, "drover.config.ts"), /satisfies DroverConfig/);
    assert.equal(read(dir, "app.ts"), "// my app\n", "the app is never written over");
    assert.equal((packageJson(dir).scripts as Record<string, string>).start, "drover start");
  });

  it("refuses a package.json it cannot use with a coded error, writing nothing", async (t) => {
    const dir = project(t, { "package.json": '{ "name": ' });
    assert.throws(
      () => planInit(dir),
      (error: unknown) =>
        isDroverError(error, ErrorCode.PACKAGE_JSON_INVALID) &&
        /package\.json is not valid JSON .*: fix it, then run drover init again/.test(error.message),
    );
    writeFileSync(join(dir, "package.json"), "[]\n");
    const result = await runCli(["init"], dir);
    assert.equal(result.status, 2, result.stderr);
    assert.match(
      result.stderr,
      /package\.json does not hold a JSON object: fix it, .* \[DROVER_ERR_PACKAGE_JSON_INVALID\]/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack: the message says it all");
    assert.ok(!existsSync(join(dir, "drover.config.ts")));
  });
});

/** drover in the project's node_modules, as `npm install drover` puts it: this checkout's source. */
function linkDrover(dir: string): void {
  const installed = join(dir, "node_modules", "drover");
  mkdirSync(installed, { recursive: true });
  writeFileSync(
    join(installed, "package.json"),
    JSON.stringify({ name: "drover", type: "module", exports: { ".": "./index.js" } }),
  );
  const source = pathToFileURL(join(import.meta.dirname, "..", "..", "src", "index.ts"));
  writeFileSync(join(installed, "index.js"), `export * from ${JSON.stringify(source.href)};\n`);
}

describe("drover init --service", () => {
  it("from scratch: a config of services only and the service, which answers `drover call`", {
    timeout: 90_000,
  }, async (t) => {
    const dir = project(t);
    const result = await runCli(["init", "--service", "greet"], dir);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ {2}wrote drover\.config\.ts: the config: the service "greet" in drones$/m);
    assert.match(result.stdout, /^ {2}wrote greet\.service\.ts: the service "greet": defineService/m);
    assert.match(result.stdout, /^Next:\n {2}npm install drover +# the service imports it\n {2}npm start /m);
    assert.match(result.stdout, /^ {2}npx drover call greet hello '\{"name":"you"\}'/m);
    assert.doesNotMatch(result.stdout, /curl/, "a config of services only listens on no port");
    assert.ok(!existsSync(join(dir, "app.ts")), "no app was asked for");
    const config = read(dir, "drover.config.ts");
    assert.doesNotMatch(config, /^ {2}(app|listen):/m);
    assert.match(config, /^ {2}services: \[\{ name: "greet", module: "\.\/greet\.service\.ts"/m);

    linkDrover(dir);
    const master = await spawnNode(CLI, ["start"], {
      cwd: dir,
      ready: /service "greet" is served on/,
      readyTimeoutMs: 30_000,
      cleanup: (stop) => t.after(stop),
    });
    const answered = await runCli(["call", "greet", "hello", '{"name":"you"}'], dir);
    assert.equal(answered.status, 0, answered.stderr);
    assert.equal((JSON.parse(answered.stdout) as { greeting: string }).greeting, "hello, you");
    const refused = await runCli(["call", "greet", "hello", '{"name":3}'], dir);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /DROVER_ERR_METHOD_FAILED/);
    assert.match(refused.stderr, /hello takes \{ name \}, a string/);
    assert.deepEqual(await master.stop(), { code: 0, signal: null });
  });

  it("in a CommonJS project with an app: both served, the service CommonJS too", {
    timeout: 90_000,
  }, async (t) => {
    const dir = project(t, {
      "package.json": '{ "name": "legacy", "main": "server.js" }\n',
      "server.js": 'module.exports = (req, res) => res.end("cjs app");\n',
    });
    const plan = init(dir, false, "jobs:email");
    assert.deepEqual(
      plan.writes.map((file) => file.name),
      ["drover.config.ts", "jobs-email.service.ts", "package.json"],
    );
    assert.match(plan.writes[0]?.what ?? "", /the app \.\/server\.js .*; the service "jobs:email" in drones/);
    assert.match(read(dir, "jobs-email.service.ts"), /^const \{ defineService \} = require\("drover"\);$/m);
    const config = read(dir, "drover.config.ts");
    assert.match(config, /^ {2}app: "\.\/server\.js",$/m);
    assert.match(config, /name: "jobs:email", module: "\.\/jobs-email\.service\.ts"/);

    linkDrover(dir);
    const port = await freePort();
    const master = await spawnNode(CLI, ["start", "--start-servers", "1"], {
      cwd: dir,
      env: { PORT: String(port) },
      ready: /is served on http:\/\/127\.0\.0\.1/,
      readyTimeoutMs: 30_000,
      cleanup: (stop) => t.after(stop),
    });
    assert.equal((await httpGet(port, "/")).body, "cjs app");
    const answered = await runCli(["call", "jobs:email", "hello"], dir);
    assert.equal(answered.status, 0, `${answered.stderr}\n${master.output()}`);
    assert.equal((JSON.parse(answered.stdout) as { greeting: string }).greeting, "hello, world");
    assert.deepEqual(await master.stop(), { code: 0, signal: null });
  });

  it("refuses a name that is no service name, writing nothing, and keeps a service module of the user's", (t) => {
    const dir = project(t);
    assert.throws(() => planInit(dir, { service: "two words" }), {
      name: "Error",
      message: /^--service "two words" is no service name: give 1 to 128 letters, digits/,
    });
    assert.ok(!existsSync(join(dir, "drover.config.ts")));

    writeFileSync(join(dir, "greet.service.ts"), "// mine\n");
    const plan = init(dir, false, "greet");
    assert.ok(!plan.writes.some((file) => file.name === "greet.service.ts"));
    assert.ok(plan.notes.includes("the service's module is your greet.service.ts: left as it is"));
    assert.equal(read(dir, "greet.service.ts"), "// mine\n");
    // A config already here is kept: the plan says what to add to it.
    const again = init(dir, false, "greet");
    assert.ok(
      again.notes.includes(
        'add the service to it: services: [{ name: "greet", module: "./greet.service.ts" }]',
      ),
    );
  });
});
