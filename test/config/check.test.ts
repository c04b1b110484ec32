// checkConfig's refusals: every wrong value is named with its reason, all in one error, and nothing is
// applied. (Sizes out of range are adjusted instead: see sizing.test.ts.)
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigInvalidError, checkConfig, DEFAULTS } from "../../src/config/index.ts";
import { DroverError, ErrorCode, isDroverError } from "../../src/errors.ts";
import { problemsOf, throwsCode, withDir } from "./support.ts";

// A numeric id that no account has, on any ordinary machine.
const NO_SUCH_ID = 3_999_999_999;

async function refused(input: Record<string, unknown>): Promise<string[]> {
  return withDir((dir) => problemsOf(() => checkConfig({ app: "app.js", ...input }, { baseDir: dir })));
}

describe("checkConfig", () => {
  it("resolves a complete config, with durations in ms and paths made absolute", async () => {
    await withDir((dir) => {
      const { config, warnings } = checkConfig(
        {
          app: "app.js",
          listen: [3000, "unix:run/app.sock"],
          startServers: 2,
          maxConnectionsPerChild: 10_000,
          recycleJitter: 0.25,
          gracefulShutdownTimeout: "1.5s",
          heartbeatTimeout: 2000,
          slowRequestThreshold: "0ms",
          slowLaneMaxWait: "1s",
          hungChildStack: false,
          runDir: "run",
          logLevel: "debug",
          modules: [{ use: "status", path: "/server-status" }],
        },
        { baseDir: dir },
      );
      assert.deepEqual(warnings, []);
      assert.equal(config.app, join(dir, "app.js"));
      assert.deepEqual(config.listen, [
        { kind: "tcp", host: "0.0.0.0", port: 3000 },
        { kind: "unix", path: join(dir, "run/app.sock") },
      ]);
      assert.equal(config.maxConnectionsPerChild, 10_000);
      assert.equal(config.recycleJitter, 0.25);
      assert.equal(config.gracefulShutdownTimeout, 1500);
      assert.equal(config.heartbeatTimeout, 2000);
      assert.equal(config.slowRequestThreshold, 0);
      assert.equal(config.slowLaneMaxWait, 1000);
      assert.equal(config.hungChildStack, false);
      assert.equal(config.runDir, join(dir, "run"));
      assert.equal(config.logLevel, "debug");
      assert.deepEqual(config.modules, [{ use: "status", path: "/server-status" }]);
      assert.equal(config.user, undefined);
      assert.equal(config.group, undefined);
    });
  });

  it("fills the defaults", async () => {
    await withDir((dir) => {
      const { config } = checkConfig({ app: "app.js" }, { baseDir: dir });
      assert.equal(config.maxConnectionsPerChild, 0);
      assert.equal(config.recycleJitter, 0.1);
      assert.equal(config.gracefulShutdownTimeout, 30_000);
      assert.equal(config.heartbeatTimeout, 30_000);
      assert.equal(config.slowRequestThreshold, 5);
      assert.equal(config.slowLaneMaxWait, 250);
      assert.equal(config.hungChildStack, true);
      assert.equal(config.runDir, join(dir, DEFAULTS.runDir));
      assert.equal(config.logLevel, "info");
      assert.deepEqual(config.modules, []);
    });
  });

  it("returns a frozen config and leaves the input as it was", async () => {
    await withDir((dir) => {
      const input = {
        app: "app.js",
        listen: [8080, { port: 9090 }],
        workersPerChild: 0,
        modules: [{ use: "status" }],
      };
      const copy = structuredClone(input);
      const { config } = checkConfig(input, { baseDir: dir });
      assert.deepEqual(input, copy);
      assert.ok(Object.isFrozen(config));
      assert.ok(Object.isFrozen(config.listen));
      assert.ok(Object.isFrozen(config.listen[0]));
      assert.ok(Object.isFrozen(config.modules[0]));
      assert.notEqual(config.modules[0], input.modules[0]);
    });
  });

  it("refuses a string where a number is needed, with the exact message", async () => {
    await withDir(async (dir) => {
      const error = await throwsCode(
        () => checkConfig({ app: "app.js", workersPerChild: "12" }, { baseDir: dir }),
        ErrorCode.CONFIG_INVALID,
      );
      assert.equal(
        error.message,
        'config field "workersPerChild" must be a whole number, got "12" (string): write it without quotes',
      );
      assert.ok(error instanceof ConfigInvalidError);
      assert.ok(error instanceof DroverError);
      assert.deepEqual(error.problems, [
        {
          field: "workersPerChild",
          reason: 'must be a whole number, got "12" (string): write it without quotes',
        },
      ]);
    });
  });

  it("refuses wrong types and fractions in every whole-number field", async () => {
    const fields = [
      "serverLimit",
      "workerLimit",
      "workersPerChild",
      "maxRequestWorkers",
      "startServers",
      "minSpareWorkers",
      "maxSpareWorkers",
      "maxConnectionsPerChild",
    ];
    for (const field of fields) {
      assert.deepEqual(await refused({ [field]: 1.5 }), [
        `${field}: must be a whole number, got 1.5: use 1 or 2`,
      ]);
      assert.deepEqual(await refused({ [field]: true }), [
        `${field}: must be a whole number, got true (boolean)`,
      ]);
      assert.deepEqual(await refused({ [field]: "lots" }), [
        `${field}: must be a whole number, got "lots" (string)`,
      ]);
      assert.deepEqual(await refused({ [field]: [4] }), [`${field}: must be a whole number, got an array`]);
      assert.deepEqual(await refused({ [field]: Number.NaN }), [`${field}: must be a whole number, got NaN`]);
      assert.deepEqual(await refused({ [field]: 2 ** 60 }), [
        `${field}: is too large, got ${2 ** 60}: use a smaller number`,
      ]);
      assert.deepEqual(await refused({ [field]: null }), [
        `${field}: is null: remove the field to use the default`,
      ]);
    }
    assert.deepEqual(await refused({ maxConnectionsPerChild: -1 }), [
      "maxConnectionsPerChild: must be 0 or more, got -1",
    ]);
  });

  it("refuses bad durations, the jitter out of range, and an unknown log level", async () => {
    assert.deepEqual(
      await refused({
        heartbeatTimeout: "5 parsecs",
        gracefulShutdownTimeout: -1,
        slowRequestThreshold: "5",
        slowLaneMaxWait: "soon",
      }),
      [
        "gracefulShutdownTimeout: must not be negative, got -1: use 0 or more",
        'heartbeatTimeout: is not a duration, got "5 parsecs" (string): use milliseconds as a number, or a number ' +
          'with a unit: "500ms", "30s", "2m", "1h"',
        'slowRequestThreshold: has no unit, got "5" (string): write "5ms" or "5s", or the number 5 for milliseconds',
        'slowLaneMaxWait: is not a duration, got "soon" (string): use milliseconds as a number, or a number ' +
          'with a unit: "500ms", "30s", "2m", "1h"',
      ],
    );
    assert.deepEqual(await refused({ recycleJitter: 10 }), [
      "recycleJitter: must be a fraction from 0 to 1 (0.1 spreads each child's limits by ±10%), " +
        "got 10: write 0.1 for ±10%",
    ]);
    assert.equal((await refused({ recycleJitter: -0.1 })).length, 1);
    assert.equal((await refused({ recycleJitter: "0.1" })).length, 1);
    assert.deepEqual(await refused({ logLevel: "verbose" }), [
      'logLevel: must be one of fatal, error, warn, info, debug, trace, silent, got "verbose" (string)',
    ]);
  });

  it("refuses unknown fields, suggesting the one meant", async () => {
    assert.deepEqual(await refused({ workersPerChlid: 4 }), [
      'workersPerChlid: is not a drover setting: did you mean "workersPerChild"?',
    ]);
    assert.deepEqual(await refused({ ThreadsPerChild: 4 }), [
      'ThreadsPerChild: is not a drover setting: did you mean "workersPerChild"?',
    ]);
    assert.deepEqual(await refused({ "max-spare-workers": 4 }), [
      'max-spare-workers: is not a drover setting: did you mean "maxSpareWorkers"?',
    ]);
    assert.deepEqual(await refused({ MaxClients: 4 }), [
      'MaxClients: is not a drover setting: did you mean "maxRequestWorkers"?',
    ]);
    assert.deepEqual(await refused({ colour: "blue" }), ["colour: is not a drover setting: remove it"]);
  });

  it("refuses a config that is not an object", async () => {
    await withDir(async (dir) => {
      for (const [input, got] of [
        [null, "null"],
        [[], "an array"],
        ["app.js", '"app.js" (string)'],
        [() => ({}), "a function"],
        [new Date(0), "an object"],
      ] as const) {
        const error = await throwsCode(() => checkConfig(input, { baseDir: dir }), ErrorCode.CONFIG_INVALID);
        assert.equal(error.message, `the config must be an object of settings, got ${got}`);
      }
    });
  });

  it("requires app, and refuses one that is missing or a folder", async () => {
    await withDir(async (dir) => {
      const problems = (input: object) => problemsOf(() => checkConfig(input, { baseDir: dir }));
      assert.deepEqual(await problems({}), [
        'app: is required: name your server module in the config (app: "./server.js") or pass --app',
      ]);
      assert.deepEqual(await problems({ app: "server.js" }), [
        `app: names ${join(dir, "server.js")}, which does not exist: check the path (a relative one starts from ${dir})`,
      ]);
      mkdirSync(join(dir, "site"));
      assert.deepEqual(await problems({ app: "site" }), [
        `app: names the folder ${join(dir, "site")}: name the module file in it, e.g. "site/index.js"`,
      ]);
      assert.deepEqual(await problems({ app: 42 }), ["app: must be a path, got 42"]);
      assert.deepEqual(await problems({ app: "" }), ['app: must be a path, got "" (string)']);
      assert.deepEqual(await problems({ app: null }), ["app: is null: remove the field to use the default"]);
      // An absolute path and a file: URL are taken as they are.
      const absolute = join(dir, "app.js");
      assert.equal(checkConfig({ app: absolute }, { baseDir: "/" }).config.app, absolute);
      assert.equal(checkConfig({ app: `file://${absolute}` }, { baseDir: "/" }).config.app, absolute);
    });
  });

  it("resolves user and group names and ids, and refuses unknown names", async () => {
    await withDir(async (dir) => {
      const check = (input: object) => checkConfig({ app: "app.js", ...input }, { baseDir: dir }).config;
      const root = check({ user: "root" });
      assert.deepEqual(root.user, { id: 0, name: "root" });
      assert.deepEqual(root.group, { id: 0, name: "root" }, "the user's own group, when no group is given");
      assert.deepEqual(check({ user: 0, group: "0" }).group, { id: 0, name: "root" });
      assert.deepEqual(check({ user: "0" }).user, { id: 0, name: "root" });
      // An id with no account is allowed, but then the group must be given.
      const bare = check({ user: NO_SUCH_ID, group: NO_SUCH_ID });
      assert.deepEqual(
        [bare.user, bare.group],
        [
          { id: NO_SUCH_ID, name: undefined },
          { id: NO_SUCH_ID, name: undefined },
        ],
      );
      const problems = (input: object) =>
        problemsOf(() => checkConfig({ app: "app.js", ...input }, { baseDir: dir }));
      assert.deepEqual(await problems({ user: NO_SUCH_ID }), [
        `group: is needed because user ${NO_SUCH_ID} has no account to take a group from: give a group name or id`,
      ]);
      assert.deepEqual(await problems({ user: "drover-no-such-user", group: "drover-no-such-group" }), [
        'user: names no user account on this machine, got "drover-no-such-user" (string): check the name, or give a numeric id',
        'group: names no group account on this machine, got "drover-no-such-group" (string): check the name, or give a numeric id',
      ]);
      assert.deepEqual(await problems({ user: -1 }), ["user: must be a user name or a numeric id, got -1"]);
      assert.deepEqual(await problems({ group: 1.5 }), [
        "group: must be a group name or a numeric id, got 1.5",
      ]);
      assert.deepEqual(await problems({ user: "" }), [
        'user: must be a user name or a numeric id, got "" (string)',
      ]);
    });
  });

  it("checks the shape of modules, and that each names a built-in module or a file", async () => {
    assert.deepEqual(await refused({ modules: { use: "status" } }), [
      'modules: must be an array of { use: "module", ...options }, got an object',
    ]);
    assert.deepEqual(await refused({ modules: ["status", { use: "" }, { path: "/x" }] }), [
      'modules[0]: must be an object { use: "module", ... }, got "status" (string)',
      'modules[1].use: must name the module, got "" (string)',
      "modules[2].use: must name the module, got undefined",
    ]);
    assert.deepEqual(
      await refused({ modules: [{ use: "stats" }, { use: "shmCounter" }, { use: "./m.ts" }] }),
      [
        'modules[0].use: is neither a built-in module (status, metrics, shmCounter) nor a module file\'s path (start it with "./", "../" or "/"), got "stats" (string)',
      ],
    );
  });

  it("reports every problem at once, one line each, in one error", async () => {
    await withDir(async (dir) => {
      const input = {
        app: "missing.js",
        listen: [8080, "8080", "host:", { port: 80, prot: 1 }],
        workersPerChild: "12",
        startServers: 1.5,
        heartbeatTimeout: "5 parsecs",
        gracefulShutdownTimeout: -1,
        user: "drover-no-such-user",
        logLevel: "loud",
        workersPerChlid: 3,
      };
      const error = await throwsCode(() => checkConfig(input, { baseDir: dir }), ErrorCode.CONFIG_INVALID);
      assert.equal(isDroverError(error, ErrorCode.CONFIG_INVALID), true);
      const fields = error.problems?.map((problem) => problem.field);
      assert.deepEqual(fields, [
        "workersPerChlid",
        "listen[2]",
        "listen[3].prot",
        "listen[1]",
        "app",
        "workersPerChild",
        "startServers",
        "gracefulShutdownTimeout",
        "heartbeatTimeout",
        "user",
        "logLevel",
      ]);
      const lines = error.message.split("\n");
      assert.equal(lines[0], "the config has 11 problems; fix them all, nothing was applied:");
      assert.equal(lines.length, 12);
      assert.equal(
        lines[6],
        '  - config field "workersPerChild" must be a whole number, got "12" (string): write it without quotes',
      );
      for (const line of lines.slice(1)) assert.match(line, /^ {2}- config field "[^"]+" /);
    });
  });
});
