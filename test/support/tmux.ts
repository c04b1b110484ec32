// A tmux server of a test's own (its socket in the test's folder, no user config), for driving a
// terminal program as a user would: a pane of a given size runs it, capture-pane shows its screen,
// send-keys types. `kill()` ends the server and everything in it, and proves every process its panes
// ran gone; call it in `finally`/`t.after`.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { groupMembers } from "../../src/util/process-alive.ts";
import { waitFor } from "../harness/wait.ts";

const run = promisify(execFile);

// The program runs under a shell that says how it ended and then waits to be killed, so its last
// screen and its exit status stay to be read: tmux's own pane-dead state is not reliable for that (it
// may leave a pane's child unreaped for good).
const WRAPPER = '"$@"; echo "[exited $?]"; exec sleep 3600';

export interface Tmux {
  /** Starts a detached session of `width` x `height` running `command` (no shell between). */
  open(session: string, width: number, height: number, command: readonly string[]): Promise<void>;
  /** The pane's screen as lines (`joined`: lines the terminal wrapped are joined again, as -J does). */
  capture(session: string, joined?: boolean): Promise<string[]>;
  keys(session: string, ...keys: string[]): Promise<void>;
  resize(session: string, width: number, height: number): Promise<void>;
  /** The command's exit status once it has ended (as the shell around it saw it), else undefined. */
  exitStatus(session: string): Promise<number | undefined>;
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
  // Each pane's process group: the shell, the command, then sleep.
  const groups: number[] = [];
  const capture = async (session: string, joined = false) =>
    (await tmux("capture-pane", "-p", ...(joined ? ["-J"] : []), "-t", session))
      .replace(/\n$/, "")
      .split("\n");
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
        "sh",
        "-c",
        WRAPPER,
        "sh",
        ...command,
      );
      groups.push(Number((await tmux("display-message", "-p", "-t", session, "#{pane_pid}")).trim()));
    },
    capture,
    keys: async (session, ...keys) => {
      await tmux("send-keys", "-t", session, ...keys);
    },
    resize: async (session, width, height) => {
      await tmux("resize-window", "-t", session, "-x", String(width), "-y", String(height));
    },
    exitStatus: async (session) => {
      const line = (await capture(session)).map((text) => /^\[exited (\d+)\]$/.exec(text)).find(Boolean);
      return line?.[1] === undefined ? undefined : Number(line[1]);
    },
    kill: async () => {
      await tmux("kill-server").catch(() => undefined);
      await waitFor(
        "every process of the tmux panes gone",
        () => groups.every((g) => groupMembers(g).length === 0),
        10_000,
      );
    },
  };
}
