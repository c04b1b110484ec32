// Loading config files of every format from real files, and what happens when one cannot be loaded.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import {
  CONFIG_FILE_NAMES,
  ConfigLoadError,
  checkConfig,
  findConfigFile,
  loadConfigFile,
  resolveConfig,
} from "../../src/config/index.ts";
import { ErrorCode } from "../../src/errors.ts";
import { throwsCode, withDir, write } from "./support.ts";

const CONFIG_SRC = pathToFileURL(join(import.meta.dirname, "../../src/config/index.ts")).href;

// The same config in each format; the TypeScript ones use defineConfig and a type annotation.
const FILES: Record<string, string> = {
  "drover.config.ts": `import { defineConfig } from "${CONFIG_SRC}";
const workers: number = 8;
export default defineConfig({ app: "./app.js", workersPerChild: workers, listen: ["unix:app.sock"] });
`,
  "drover.config.mts": `import { defineConfig, type DroverConfig } from "${CONFIG_SRC}";
const config: DroverConfig = { app: "./app.js", workersPerChild: 8, listen: ["unix:app.sock"] };
export default defineConfig(config);
`,
  "drover.config.js": `export default { app: "./app.js", workersPerChild: 8, listen: ["unix:app.sock"] };\n`,
  "drover.config.mjs": `export default { app: "./app.js", workersPerChild: 8, listen: ["unix:app.sock"] };\n`,
  "drover.config.cjs": `module.exports = { app: "./app.js", workersPerChild: 8, listen: ["unix:app.sock"] };\n`,
  "drover.config.json": `\uFEFF{ "app": "./app.js", "workersPerChild": 8, "listen": ["unix:app.sock"] }\n`,
};

describe("loading config files", () => {
  it("loads every format, with paths relative to the file's folder", async () => {
    await withDir(async (dir) => {
      for (const [name, text] of Object.entries(FILES)) {
        const file = write(dir, `conf/${name}`, text);
        write(dir, "conf/app.js", "export default () => {};\n");
        const loaded = await loadConfigFile(file);
        assert.equal(loaded.file, file);
        assert.equal(loaded.baseDir, join(dir, "conf"));
        const { config } = checkConfig(loaded.input, { baseDir: loaded.baseDir });
        assert.equal(config.app, join(dir, "conf/app.js"), name);
        assert.equal(config.workersPerChild, 8, name);
        assert.deepEqual(config.listen, [{ kind: "unix", path: join(dir, "conf/app.sock") }], name);
      }
    });
  });

  it("finds drover.config.ts, .js, .mjs, .json in that order", async () => {
    await withDir((dir) => {
      assert.equal(findConfigFile(dir), undefined);
      for (const name of [...CONFIG_FILE_NAMES].reverse()) write(dir, name, "{}");
      mkdirSync(join(dir, "sub", "drover.config.ts"), { recursive: true });
      assert.equal(findConfigFile(join(dir, "sub")), undefined, "a folder of that name is not a config file");
      for (const name of CONFIG_FILE_NAMES) {
        assert.equal(findConfigFile(dir), join(dir, name));
        rmSync(join(dir, name));
      }
      assert.equal(findConfigFile(dir), undefined);
    });
  });

  it("reads the file afresh on every load, for a reload", async () => {
    await withDir(async (dir) => {
      for (const name of [
        "drover.config.mjs",
        "drover.config.cjs",
        "drover.config.ts",
        "drover.config.json",
      ]) {
        const body = (n: number) =>
          name.endsWith(".json")
            ? `{ "startServers": ${n} }`
            : name.endsWith(".cjs")
              ? `module.exports = { startServers: ${n} };`
              : `export default { startServers: ${n} };`;
        const file = write(dir, name, body(1));
        assert.deepEqual((await loadConfigFile(file)).input, { startServers: 1 }, name);
        write(dir, name, body(2));
        assert.deepEqual((await loadConfigFile(file)).input, { startServers: 2 }, name);
      }
    });
  });

  it("a missing file gives CONFIG_LOAD naming it", async () => {
    await withDir(async (dir) => {
      const file = join(dir, "nope", "drover.config.ts");
      const error = await throwsCode(() => loadConfigFile(file), ErrorCode.CONFIG_LOAD);
      assert.equal(error.message, `config file ${file} was not found: check the path`);
      assert.ok(error instanceof ConfigLoadError);
      assert.equal((error as ConfigLoadError).file, file);
    });
  });

  it("a syntax error gives CONFIG_LOAD with the file and line", async () => {
    await withDir(async (dir) => {
      const mjs = write(dir, "bad.mjs", "export default {\n  app: ,\n};\n");
      const error = await throwsCode(() => loadConfigFile(mjs), ErrorCode.CONFIG_LOAD);
      assert.match(
        error.message,
        new RegExp(`^config file ${mjs} could not be loaded: SyntaxError: .* at ${mjs}:2: fix the file$`),
      );
      assert.ok(error.cause instanceof SyntaxError);

      const ts = write(dir, "bad.ts", "const x: number = ;\nexport default {};\n");
      const tsError = await throwsCode(() => loadConfigFile(ts), ErrorCode.CONFIG_LOAD);
      assert.match(
        tsError.message,
        new RegExp(`^config file ${ts} could not be loaded: SyntaxError: .* at ${ts}:1: fix the file$`),
      );

      const json = write(dir, "bad.json", '{ "app": "x", }');
      const jsonError = await throwsCode(() => loadConfigFile(json), ErrorCode.CONFIG_LOAD);
      assert.match(jsonError.message, new RegExp(`^config file ${json} is not valid JSON: `));
    });
  });

  it("other failures give CONFIG_LOAD with the cause", async () => {
    await withDir(async (dir) => {
      const throws = write(dir, "throws.mjs", 'throw new Error("no config today");\n');
      assert.equal(
        (await throwsCode(() => loadConfigFile(throws), ErrorCode.CONFIG_LOAD)).message,
        `config file ${throws} could not be loaded: Error: no config today`,
      );
      const importsMissing = write(dir, "imports.mjs", 'import "./not-there.mjs";\nexport default {};\n');
      assert.match(
        (await throwsCode(() => loadConfigFile(importsMissing), ErrorCode.CONFIG_LOAD)).message,
        /could not be loaded: Error: Cannot find module .*not-there\.mjs/,
      );
      const noDefault = write(dir, "named.mjs", "export const config = {};\n");
      assert.match(
        (await throwsCode(() => loadConfigFile(noDefault), ErrorCode.CONFIG_LOAD)).message,
        /has no default export: end it with "export default defineConfig\(\{ \.\.\. \}\)"/,
      );
      const yaml = write(dir, "drover.config.yaml", "app: x\n");
      assert.match(
        (await throwsCode(() => loadConfigFile(yaml), ErrorCode.CONFIG_LOAD)).message,
        /has the extension "\.yaml", which drover does not load/,
      );
      mkdirSync(join(dir, "folder.json"));
      assert.match(
        (await throwsCode(() => loadConfigFile(join(dir, "folder.json")), ErrorCode.CONFIG_LOAD)).message,
        /is not a file/,
      );
      if (process.getuid?.() !== 0) {
        const locked = write(dir, "locked.json", "{}");
        chmodSync(locked, 0);
        assert.match(
          (await throwsCode(() => loadConfigFile(locked), ErrorCode.CONFIG_LOAD)).message,
          /could not be read \(EACCES\)/,
        );
      }
    });
  });

  it("a loaded config that is not an object is refused by the check, not the load", async () => {
    await withDir(async (dir) => {
      const file = write(dir, "drover.config.json", "[1, 2]");
      const loaded = await loadConfigFile(file);
      await throwsCode(() => checkConfig(loaded.input, { baseDir: dir }), ErrorCode.CONFIG_INVALID);
    });
  });
});

describe("resolveConfig", () => {
  it("finds the file in cwd, loads it, puts the flags over it and checks the result", async () => {
    await withDir(async (dir) => {
      write(dir, "drover.config.json", JSON.stringify({ app: "app.js", startServers: 3, logLevel: "warn" }));
      const { config, file, warnings } = await resolveConfig({ cwd: dir, flags: { startServers: 2 } });
      assert.equal(file, join(dir, "drover.config.json"));
      assert.deepEqual(warnings, []);
      assert.equal(config.startServers, 2);
      assert.equal(config.logLevel, "warn");
    });
  });

  it("uses the file given, relative to cwd, and starts its paths from the file's folder", async () => {
    await withDir(async (dir) => {
      write(dir, "etc/site.json", JSON.stringify({ app: "../app.js", runDir: "run" }));
      const { config, file } = await resolveConfig({ cwd: dir, file: "etc/site.json" });
      assert.equal(file, join(dir, "etc/site.json"));
      assert.equal(config.app, join(dir, "app.js"));
      assert.equal(config.runDir, join(dir, "etc/run"));
      await throwsCode(() => resolveConfig({ cwd: dir, file: "etc/none.json" }), ErrorCode.CONFIG_LOAD);
    });
  });

  it("works with no file when the flags name the app", async () => {
    await withDir(async (dir) => {
      const { config, file } = await resolveConfig({ cwd: dir, flags: { app: join(dir, "app.js") } });
      assert.equal(file, undefined);
      assert.equal(config.runDir, join(dir, ".drover"));
      await throwsCode(() => resolveConfig({ cwd: dir }), ErrorCode.CONFIG_INVALID);
    });
  });

  it("on a restart keeps the first limits", async () => {
    await withDir(async (dir) => {
      const path = write(dir, "drover.config.mjs", "export default { app: './app.js', serverLimit: 4 };\n");
      const first = await resolveConfig({ cwd: dir });
      write(dir, "drover.config.mjs", "export default { app: './app.js', serverLimit: 8 };\n");
      const second = await resolveConfig({ cwd: dir, previous: first.config });
      assert.equal(second.file, path);
      assert.equal(second.config.serverLimit, 4);
      assert.equal(second.warnings.length, 1);
      assert.match(second.warnings[0] ?? "", /^serverLimit cannot change on a restart/);
    });
  });

  it("gives up on a config file whose top-level code never finishes, at the deadline, or when aborted", async () => {
    await withDir(async (dir) => {
      write(dir, "drover.config.mjs", "await new Promise(() => {});\nexport default { app: './app.js' };\n");
      const late = await throwsCode(
        () => resolveConfig({ cwd: dir, loadWithinMs: 200 }),
        ErrorCode.CONFIG_LOAD,
      );
      assert.match(late.message, /did not finish loading within 0\.2 s \(hookTimeout\)/);
      const controller = new AbortController();
      const waiting = resolveConfig({ cwd: dir, loadWithinMs: 60_000, signal: controller.signal });
      controller.abort(new Error("stopping"));
      await assert.rejects(waiting, /stopping/);
    });
  });
});
