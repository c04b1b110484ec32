// The command line read against the table of commands: every command and flag the other tests use
// still parses, flags may come before the command, and unknown commands and flags are refused all at
// once, each with what was most likely meant. In-process: parseCommandLine is a pure function.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Command } from "../../src/cli/command.ts";
import { COMMANDS } from "../../src/cli/commands/index.ts";
import { commandHelp, globalHelp } from "../../src/cli/help.ts";
import { type ParsedLine, parseCommandLine, UsageError } from "../../src/cli/parse.ts";
import { CONFIG_FLAGS } from "../../src/config/index.ts";

const parse = (...argv: string[]) => parseCommandLine(argv, COMMANDS);

function refusal(argv: string[]): UsageError {
  try {
    parse(...argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error;
  }
  assert.fail(`drover ${argv.join(" ")} was accepted`);
}

function run(line: ParsedLine) {
  assert.equal(line.kind, "run");
  return line as Extract<ParsedLine, { kind: "run" }>;
}

const command = (name: string) => COMMANDS.find((c) => c.name === name) as Command;

describe("the command line", () => {
  it("accepts every command and flag as before, flags before the command too", () => {
    for (const argv of [
      ["start"],
      ["start", "app.ts", "--single", "--listen", "8080", "--listen", "8081", "--config=x.ts"],
      ["stop", "--graceful", "--timeout", "1500ms", "--run-dir", "run"],
      ["reload", "--timeout", "500ms"],
      ["restart", "-c", "drover.config.ts"],
      ["status", "--json", "--run-dir=run"],
      ["configtest", "-c", "missing.json", "--workers-per-child", "12"],
      ["call", "math", "add", '{"a":1}', "--timeout", "200ms", "--socket", "s.sock"],
      ["init", "--dir", "app", "--force"],
      ["top", "--interval", "500ms"],
    ]) {
      assert.equal(run(parse(...argv)).command.name, argv[0], argv.join(" "));
    }
    const line = run(parse("--run-dir", "run", "status", "--json"));
    assert.deepEqual([line.command.name, line.values["run-dir"], line.values.json], ["status", "run", true]);
    assert.deepEqual(run(parse("call", "math", "add", "{}")).args, ["math", "add", "{}"]);
    assert.deepEqual(run(parse("start", "--listen", "1", "--listen", "2")).values.listen, ["1", "2"]);
  });

  it("gives the global help, a command's help, and the version", () => {
    assert.deepEqual(parse("--help"), { kind: "help", command: undefined });
    assert.deepEqual(parse("-h"), { kind: "help", command: undefined });
    assert.deepEqual(parse("help"), { kind: "help", command: undefined });
    assert.deepEqual(parse("stop", "--help"), { kind: "help", command: command("stop") });
    assert.deepEqual(parse("help", "top"), { kind: "help", command: command("top") });
    assert.deepEqual(parse("-v"), { kind: "version" });
    assert.match(refusal(["help", "restrat"]).message, /unknown command "restrat": did you mean "restart"\?/);
  });

  it("refuses an unknown command with the one it resembles, or none", () => {
    assert.equal(refusal(["stats"]).message, 'unknown command "stats": did you mean "status"?');
    assert.equal(refusal(["confgtest"]).message, 'unknown command "confgtest": did you mean "configtest"?');
    assert.equal(refusal(["frobnicate"]).message, 'unknown command "frobnicate"');
    assert.match(refusal([]).message, /^no command given/);
    assert.equal(refusal(["--json"]).command, undefined, "no command, so the global usage");
  });

  it("refuses every unknown flag at once, each with the flag it resembles or whose it is", () => {
    const error = refusal(["status", "--jsn", "--graceful", "--gracefull", "--listen", "80", "-x"]);
    assert.equal(error.command?.name, "status");
    assert.deepEqual(error.message.split("\n"), [
      "drover status: unknown option --jsn: did you mean --json?",
      "drover status: --graceful is not an option of status, but of stop: see drover status --help",
      "drover status: unknown option --gracefull (--graceful is an option of stop)",
      "drover status: --listen is not an option of status, but of start and configtest: see drover status --help",
      "drover status: unknown option -x",
    ]);
    assert.equal(
      refusal(["start", "--workers-per-chld", "3"]).message,
      "drover start: unknown option --workers-per-chld: did you mean --workers-per-child?",
    );
    assert.match(
      refusal(["init", "--run-dir", "x"]).message,
      /--run-dir is not an option of init, but of start, stop/,
    );
    // A hidden flag (call's --socket) is not named elsewhere; systemd's own --socket is.
    assert.equal(
      refusal(["stop", "--socket", "s"]).message,
      "drover stop: --socket is not an option of stop, but of systemd: see drover stop --help",
    );
  });

  it("refuses a flag without its value, a value for a switch, and arguments past the command's", () => {
    assert.match(refusal(["stop", "--timeout"]).message, /^drover stop: .*--timeout.* argument missing/);
    assert.match(
      refusal(["status", "--json=yes"]).message,
      /^drover status: .*--json.* does not take an argument/,
    );
    assert.equal(
      refusal(["stop", "now"]).message,
      'drover stop: unexpected argument "now" (it takes no argument)',
    );
    assert.match(
      refusal(["start", "a.ts", "b.ts"]).message,
      /unexpected argument "b\.ts" \(it takes at most 1/,
    );
  });
});

describe("a flag two commands take with different kinds", () => {
  it("is read as each command has it", () => {
    const stub = (name: string, type: "string" | "boolean"): Command => ({
      name,
      args: "[x]",
      maxArgs: 1,
      summary: name,
      description: [name],
      flags: [{ name: "socket", type, help: "" }],
      run: async () => 0,
    });
    const commands = [stub("call", "string"), stub("unit", "boolean")];
    const line = (...argv: string[]) => run(parseCommandLine(argv, commands));
    assert.deepEqual(line("call", "--socket", "s.sock", "x").values.socket, "s.sock");
    assert.deepEqual(line("call", "--socket", "s.sock", "x").args, ["x"]);
    assert.deepEqual(line("unit", "--socket", "x").values.socket, true);
    assert.deepEqual(line("unit", "--socket", "x").args, ["x"]);
    assert.deepEqual(line("--socket", "unit").command.name, "unit");
  });
});

describe("the help", () => {
  it("lists every command with a line, and the options every command takes", () => {
    const text = globalHelp(COMMANDS);
    assert.match(text, /^Usage: drover <command> \[options\]$/m);
    for (const c of COMMANDS) assert.match(text, new RegExp(`^ {2}${c.name}\\b.*`, "m"), c.name);
    assert.match(text, /^ {2}-c, --config FILE /m);
    assert.match(text, /^Exit codes:/m);
    for (const line of text.split("\n")) assert.ok(line.length <= 110, line);
  });

  it("shows each command's usage and every flag it takes, hidden ones aside", () => {
    const stop = commandHelp(command("stop"));
    assert.match(stop, /^Usage: drover stop \[options\]$/m);
    assert.match(stop, /^ {2}--graceful {2,}let children finish/m);
    assert.match(stop, /^ {2}--timeout T {2,}/m);
    assert.match(stop, /^ {2}--run-dir DIR {2,}/m);
    const start = commandHelp(command("start"));
    for (const flag of Object.keys(CONFIG_FLAGS)) assert.match(start, new RegExp(`--${flag}\\b`), flag);
    assert.match(commandHelp(command("call")), /^Usage: drover call SERVICE METHOD \[JSON\] \[options\]$/m);
    assert.doesNotMatch(commandHelp(command("call")), /--socket/);
    for (const c of COMMANDS) assert.ok(c.description.length > 0 && c.summary.length > 0, c.name);
  });
});
