// nodeArgs and env: the children's Node options and environment. Options that would keep a child from
// serving are refused with their reason, what this Node refuses is refused with Node's own words,
// relative module and file paths start from the config's folder; env takes strings (and numbers) under
// names that are not drover's own.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { checkConfig } from "../../src/config/index.ts";
import { problemsOf, withDir, write } from "./support.ts";

function resolved(dir: string, input: Record<string, unknown>) {
  return checkConfig({ app: "app.js", ...input }, { baseDir: dir }).config;
}

async function refused(input: Record<string, unknown>): Promise<string[]> {
  return withDir((dir) => problemsOf(() => resolved(dir, input)));
}

describe("nodeArgs", () => {
  it("defaults to none, and keeps options Node takes, making relative paths start from the config's folder", async () => {
    await withDir((dir) => {
      write(dir, "apm.mjs", "export {};\n");
      write(dir, "lib/preload.cjs", "\n");
      write(dir, ".env", "A=1\n");
      assert.deepEqual(resolved(dir, {}).nodeArgs, []);
      assert.deepEqual(
        resolved(dir, {
          nodeArgs: [
            "--max-old-space-size=512",
            "--enable-source-maps",
            "--import=./apm.mjs",
            "--require=./lib/preload.cjs",
            "--require=node:util",
            "--env-file=.env",
            "--inspect=0",
            "--trace-gc",
          ],
        }).nodeArgs,
        [
          "--max-old-space-size=512",
          "--enable-source-maps",
          `--import=${pathToFileURL(join(dir, "apm.mjs")).href}`,
          `--require=${join(dir, "lib/preload.cjs")}`,
          "--require=node:util",
          `--env-file=${join(dir, ".env")}`,
          "--inspect=0",
          "--trace-gc",
        ],
      );
    });
  });

  it("refuses options that would keep a child from serving, each with its reason", async () => {
    assert.deepEqual(
      await refused({
        nodeArgs: [
          "--inspect",
          "--inspect=9229",
          "--inspect-brk=0",
          "--watch",
          "-e",
          "--no-addons",
          "--permission",
        ],
      }),
      [
        "nodeArgs[0]: (--inspect) opens an inspector on a fixed port: every child would open it on the same port (the first gets it, the others fail), and anyone who reaches it runs code in the child; use --inspect=0 (a free port for each child, printed in the log)",
        "nodeArgs[1]: (--inspect=9229) opens an inspector on a fixed port: every child would open it on the same port (the first gets it, the others fail), and anyone who reaches it runs code in the child; use --inspect=0 (a free port for each child, printed in the log)",
        "nodeArgs[2]: (--inspect-brk) stops each child before its first line until a debugger attaches: it could never be ready within childStartTimeout; use --inspect=0, or debug one process with `drover start --single` under node --inspect-brk",
        "nodeArgs[3]: (--watch) makes node restart the child itself on a change, behind the master's back; use `drover start --watch`, which reloads gracefully",
        "nodeArgs[4]: (-e) makes node do something else than run the child; give it to node itself, not to drover's children",
        "nodeArgs[5]: (--no-addons) forbids native addons, and every child needs drover's (the shared scoreboard)",
        "nodeArgs[6]: (--permission) turns on Node's permission model, which refuses what every child needs (drover's native addon, the inherited sockets, its worker thread)",
      ],
    );
  });

  it("refuses what is not one option in one string, and a missing file", async () => {
    const problems = await refused({
      nodeArgs: ["-r", "dd-trace/init", "--import", 512, "--import=./missing.mjs"],
    });
    assert.equal(problems.length, 5);
    assert.equal(
      problems[0],
      'nodeArgs[0]: (-r) takes its value in the same string: write "--require=<module>"',
    );
    assert.match(
      problems[1] ?? "",
      /^nodeArgs\[1\]: must be one Node option starting with "-".*got "dd-trace\/init" \(string\)$/,
    );
    assert.equal(
      problems[2],
      'nodeArgs[2]: (--import) takes its value in the same string: write "--import=<module>"',
    );
    assert.match(problems[3] ?? "", /^nodeArgs\[3\]: must be one Node option .*got 512$/);
    assert.match(
      problems[4] ?? "",
      /^nodeArgs\[4\]: \(--import=\.\/missing\.mjs\) names \/.*\/missing\.mjs, which is not a file/,
    );
    assert.deepEqual(await refused({ nodeArgs: "--max-old-space-size=512" }), [
      'nodeArgs: must be an array of Node options, e.g. ["--max-old-space-size=512"], got "--max-old-space-size=512" (string)',
    ]);
  });

  it("refuses what this Node refuses (a typo, a bad value), in Node's words", async () => {
    assert.deepEqual(await refused({ nodeArgs: ["--max-old-space-sise=512"] }), [
      "nodeArgs: is refused by node (node: bad option: --max-old-space-sise=512): fix the option or its value",
    ]);
    assert.deepEqual(await refused({ nodeArgs: ["--title"] }), [
      "nodeArgs: is refused by node (node: --title requires an argument): fix the option or its value",
    ]);
  });
});

describe("env", () => {
  it("defaults to none, and takes strings and numbers", async () => {
    await withDir((dir) => {
      assert.deepEqual(resolved(dir, {}).env, {});
      const { env } = resolved(dir, { env: { NODE_ENV: "production", PORT: 3000, EMPTY: "" } });
      assert.deepEqual(env, { NODE_ENV: "production", PORT: "3000", EMPTY: "" });
      assert.ok(Object.isFrozen(env));
    });
  });

  it("refuses what is not a variable, and drover's own names", async () => {
    assert.deepEqual(await refused({ env: ["A=1"] }), [
      'env: must be an object of variables, e.g. { NODE_ENV: "production" }, got an array',
    ]);
    assert.deepEqual(
      await refused({ env: { DEBUG: true, KEYS: ["a"], "A=B": "x", DROVER_LOG_LEVEL: "debug", GONE: null } }),
      [
        'env.DEBUG: must be a string (or a number), got true (boolean): write "true"',
        "env.KEYS: must be a string (or a number), got an array",
        'env.A=B: is not a variable name: a name is not empty and holds no "="',
        "env.DROVER_LOG_LEVEL: is drover's own (names starting with DROVER_ are): choose another name",
        "env.GONE: must be a string (or a number), got null",
      ],
    );
  });
});
