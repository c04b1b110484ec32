// A config or an app that Node reads in the other module system (newcomer A4): ES module code in a
// CommonJS package, CommonJS code in an ES module, is refused with DROVER_ERR_MODULE_TYPE naming the
// file that failed, what decides its type and the fix; every other load failure is left as it was.
// Real files in real packages, imported in this process (each case in a folder of its own, as Node
// remembers a module that failed).
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { importApp } from "../../src/app/import-app.ts";
import { loadConfigFile } from "../../src/config/index.ts";
import { ErrorCode } from "../../src/errors.ts";
import { throwsCode, withDir, write } from "../config/support.ts";
import { runCli } from "../support/drover.ts";

const COMMONJS = '{ "name": "app", "type": "commonjs" }\n';
const MODULE = '{ "name": "app", "type": "module" }\n';
const ESM_CONFIG = 'import { join } from "node:path";\nexport default { app: join(".", "app.js") };\n';

describe("a module read in the wrong module system", () => {
  it("an ES module config in a CommonJS package: set type module, or rename it .mts", async () => {
    await withDir(async (dir) => {
      const pkg = write(dir, "package.json", COMMONJS);
      const config = write(dir, "drover.config.ts", ESM_CONFIG);
      const error = await throwsCode(() => loadConfigFile(config), ErrorCode.MODULE_TYPE);
      assert.equal(
        error.message,
        `config file ${config} could not be loaded: it is an ES module (it uses import or export), but Node ` +
          `loads it as CommonJS because ${pkg} has "type": "commonjs": set "type": "module" there ` +
          "(npm pkg set type=module, or drover init), or rename the file to .mts",
      );
      assert.ok(error.cause instanceof SyntaxError);
      // export alone fails another way ("Unexpected token 'export'"), and is told the same.
      const exportOnly = write(dir, "only.ts", "export default { app: './app.js' };\n");
      const other = await throwsCode(() => loadConfigFile(exportOnly), ErrorCode.MODULE_TYPE);
      assert.match(other.message, /it is an ES module .* "type": "commonjs": set "type": "module" there/);
    });
  });

  it("names the imported file that failed, and a .cts name as the cause", async () => {
    await withDir(async (dir) => {
      write(dir, "package.json", COMMONJS);
      const helper = write(dir, "lib/helper.ts", "export const port = 8080;\n");
      const config = write(dir, "drover.config.mjs", 'import "./lib/helper.ts";\nexport default {};\n');
      const error = await throwsCode(() => loadConfigFile(config), ErrorCode.MODULE_TYPE);
      assert.match(error.message, new RegExp(`loaded: ${helper} is an ES module .*`));
      const cts = write(dir, "drover.config.cts", ESM_CONFIG);
      assert.match(
        (await throwsCode(() => loadConfigFile(cts), ErrorCode.MODULE_TYPE)).message,
        /because its name ends in \.cts: rename it to \.mts \(or to \.ts in a package with "type": "module"\)$/,
      );
    });
  });

  it("CommonJS code in an ES module: use import, or rename it .cjs", async () => {
    await withDir(async (dir) => {
      const pkg = write(dir, "package.json", MODULE);
      const config = write(
        dir,
        "drover.config.js",
        'const path = require("node:path");\nmodule.exports = {};\n',
      );
      const error = await throwsCode(() => loadConfigFile(config), ErrorCode.MODULE_TYPE);
      assert.match(
        error.message,
        new RegExp(
          `it is CommonJS \\(it uses require\\), but Node loads it as an ES module because ${pkg} has ` +
            '"type": "module": use import \\(or createRequire from node:module\\) instead, or rename the file to \\.cjs$',
        ),
      );
      const mjs = write(dir, "c.mjs", "module.exports = {};\n");
      assert.match(
        (await throwsCode(() => loadConfigFile(mjs), ErrorCode.MODULE_TYPE)).message,
        /it uses module\), but Node loads it as an ES module because its name ends in \.mjs: use export/,
      );
    });
  });

  it("import and require mixed in a package that names no type", async () => {
    await withDir(async (dir) => {
      write(dir, "package.json", '{ "name": "app" }\n');
      const config = write(
        dir,
        "drover.config.ts",
        'import "node:os";\nconst fs = require("node:fs");\nexport default {};\n',
      );
      assert.match(
        (await throwsCode(() => loadConfigFile(config), ErrorCode.MODULE_TYPE)).message,
        /it mixes import or export with CommonJS's require: .* use import \(or createRequire from node:module\)/,
      );
    });
  });

  it("leaves other failures as they were: a syntax error in an ES module is CONFIG_LOAD", async () => {
    await withDir(async (dir) => {
      write(dir, "package.json", MODULE);
      const config = write(
        dir,
        "drover.config.js",
        "function f() {\n  export const x = 1;\n}\nexport default {};\n",
      );
      assert.match(
        (await throwsCode(() => loadConfigFile(config), ErrorCode.CONFIG_LOAD)).message,
        /could not be loaded: SyntaxError: Unexpected token 'export' at .*:2: fix the file$/,
      );
    });
  });

  it("an app: the same verdict, naming the app", async () => {
    await withDir(async (dir) => {
      write(dir, "package.json", COMMONJS);
      const app = write(
        dir,
        "app.ts",
        'import type { Server } from "node:http";\nexport default () => {};\n',
      );
      assert.match(
        (await throwsCode(() => importApp(app), ErrorCode.MODULE_TYPE)).message,
        new RegExp(`^the app ${app} could not be loaded: it is an ES module .*"type": "commonjs"`),
      );
    });
  });
});

describe("the drover command, in a CommonJS package with an ES module app", () => {
  it("configtest exits 2 and start exits 1, both with DROVER_ERR_MODULE_TYPE and the fix", {
    timeout: 60_000,
  }, async () => {
    await withDir(async (dir) => {
      write(dir, "package.json", COMMONJS);
      write(dir, "app.mts", "export default (_q: unknown, s: { end(): void }) => s.end();\n");
      write(dir, "app.ts", 'import { pid } from "node:process";\nexport default () => pid;\n');
      write(dir, "drover.config.json", JSON.stringify({ app: "./app.ts", listen: [join(dir, "s.sock")] }));
      const [configtest, start] = await Promise.all([
        runCli(["configtest"], dir),
        runCli(["start", "--start-servers", "1", "--run-dir", join(dir, "run")], dir),
      ]);
      assert.equal(configtest.status, 2, configtest.stderr);
      assert.match(
        configtest.stderr,
        /the app .*app\.ts could not be loaded: it is an ES module .*\[DROVER_ERR_MODULE_TYPE\]/,
      );
      assert.equal(start.status, 1, start.stderr);
      assert.match(
        start.stderr,
        /could not initialise: the app .*app\.ts could not be loaded: .*set "type": "module" there .*\[DROVER_ERR_MODULE_TYPE\]/,
      );
      // The .mts app is an ES module whatever the package says.
      const mts = await runCli(["configtest", "./app.mts"], dir);
      assert.equal(mts.status, 0, mts.stderr);
    });
  });
});
