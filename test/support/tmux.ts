// A tmux server of a test's own (its socket in the test's folder, no user config), for driving a
// terminal program as a user would: a pane of a given size runs it, capture-pane shows its screen,
// send-keys types. `kill()` ends the server and everything in it; call it in `finally`/`t.after`.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Tmux {
  /** Starts a detached session of `width` x `height` running `command` (no shell), kept when it exits. */
  open(session: string, width: number, height: number, command: readonly string[]): Promise<void>;
  /** The pane's screen as lines (`joined`: lines the terminal wrapped are joined again, as -J does). */
  capture(session: string, joined?: boolean): Promise<string[]>;
  keys(session: string, ...keys: string[]): Promise<void>;
  resize(session: string, width: number, height: number): Promise<void>;
  /** The pane's process, whether it has exited, and its exit status. */
  pane(session: string): Promise<{ pid: number; dead: boolean; status: number | null }>;
  kill(): Promise<void>;
}

export async function startTmux(dir: string): Promise<Tmux> {
  const tmux = async (...args: string[]) =>
    (await run("tmux", ["-S", join(dir, "tmux.sock"), "-f", "/dev/null", ...args], { encoding: "utf8" }))
      .stdout;
  try {
    await run("tmux", ["-V"]);
  } catch {
    assert.fail("this test needs tmux: apt-get install tmux");
  }
  return {
    open: async (session, width, height, command) => {
      await tmux(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        String(width),
        "-y",
        String(height),
        ...command,
        ";",
        "set-option",
        "-t",
        session,
        "remain-on-exit",
        "on",
      );
    },
    capture: async (session, joined = false) =>
      (await tmux("capture-pane", "-p", ...(joined ? ["-J"] : []), "-t", session))
        .replace(/\n$/, "")
        .split("\n"),
    keys: async (session, ...keys) => {
      await tmux("send-keys", "-t", session, ...keys);
    },
    resize: async (session, width, height) => {
      await tmux("resize-window", "-t", session, "-x", String(width), "-y", String(height));
    },
    pane: async (session) => {
      const [pid = "0", dead = "0", status = ""] = (
        await tmux("display-message", "-p", "-t", session, "#{pane_pid} #{pane_dead} #{pane_dead_status}")
      )
        .trim()
        .split(" ");
      return { pid: Number(pid), dead: dead === "1", status: status === "" ? null : Number(status) };
    },
    kill: async () => {
      await tmux("kill-server").catch(() => undefined);
    },
  };
}
