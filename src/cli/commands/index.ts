// Every `drover` command, in the order `drover --help` lists them. A new command is a file here and a
// line below.
import type { Command } from "../command.ts";
import { call } from "./call.ts";
import { configtest } from "./configtest.ts";
import { init } from "./init.ts";
import { start } from "./start.ts";
import { status } from "./status.ts";
import { reload, restart, stop } from "./stop.ts";
import { systemd } from "./systemd.ts";
import { top } from "./top.ts";
import { upgrade } from "./upgrade.ts";

export const COMMANDS: readonly Command[] = [
  init,
  start,
  stop,
  reload,
  restart,
  upgrade,
  status,
  top,
  configtest,
  call,
  systemd,
];
