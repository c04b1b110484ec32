// The units' text for what the command-line test cannot verify on systemd 252: Type=notify-reload
// with the signal that reloads gracefully under each signal mapping, and command lines systemd
// would otherwise read specifiers or variables in.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkConfig } from "../../src/config/index.ts";
import { serviceUnit, socketUnit, type UnitInputs } from "../../src/systemd/unit.ts";
import { withDir } from "../config/support.ts";

function inputs(dir: string, fields: Record<string, unknown>, type: UnitInputs["type"]): UnitInputs {
  return {
    config: checkConfig({ app: "app.js", ...fields }, { baseDir: dir }).config,
    configFile: "/srv/my app/100%/drover.config.ts",
    workingDirectory: "/srv/my app/100%",
    node: "/opt/node$24/bin/node",
    cli: "/srv/my app/node_modules/drover/dist/cli/main.js",
    type,
    name: "myapp",
    numericHosts: new Map([["localhost", "127.0.0.1"]]),
  };
}

describe("the units' text", () => {
  it("reloads by the signal that means a graceful reload, and stops by the one that drains", async () => {
    await withDir((dir) => {
      const drover = serviceUnit(inputs(dir, {}, "notify-reload"));
      assert.match(drover, /^Type=notify-reload\nNotifyAccess=main$/m);
      assert.match(drover, /^ReloadSignal=SIGHUP$/m);
      assert.match(drover, /^KillSignal=SIGTERM$/m);
      assert.doesNotMatch(drover, /ExecReload/, "systemd sends the signal itself");
      const apache = serviceUnit(inputs(dir, { signals: "apache" }, "notify-reload"));
      assert.match(apache, /^ReloadSignal=SIGUSR1$/m, "SIGHUP is apache's hard restart");
      assert.match(apache, /^KillSignal=SIGWINCH$/m, "SIGTERM is apache's hard stop");
      const notify = serviceUnit(inputs(dir, {}, "notify"));
      assert.match(notify, /^ExecReload=.* reload --config .*$/m);
      assert.doesNotMatch(notify, /ReloadSignal/);
    });
  });

  it("quotes paths with spaces, doubles % and $, and names hosts by address for ListenStream=", async () => {
    await withDir((dir) => {
      const unit = inputs(dir, { listen: ["localhost:8080"], runDir: "/run/myapp" }, "notify");
      const service = serviceUnit(unit);
      assert.ok(
        service.includes(
          'ExecStart=/opt/node$$24/bin/node "/srv/my app/node_modules/drover/dist/cli/main.js" start --config "/srv/my app/100%%/drover.config.ts"\n',
        ),
        service,
      );
      assert.match(service, /^WorkingDirectory=\/srv\/my app\/100%%$/m);
      assert.match(service, /^RuntimeDirectory=myapp\nRuntimeDirectoryMode=0700$/m);
      assert.match(socketUnit(unit), /^ListenStream=127\.0\.0\.1:8080$/m);
    });
  });
});
