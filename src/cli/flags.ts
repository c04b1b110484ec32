// The flags several commands share: the global ones, the two that find a master (--config, --run-dir),
// and the config flags of `start` and `configtest`, made from the config's own list (CONFIG_FLAGS) so
// that a flag added there is accepted here, with a generic help line until it has one of its own.
import { CONFIG_FLAGS } from "../config/index.ts";
import type { Flag } from "./command.ts";

/** Accepted by every command (and with none). */
export const GLOBAL_FLAGS: readonly Flag[] = [
  { name: "help", type: "boolean", short: "h", help: "this text" },
  { name: "version", type: "boolean", short: "v", help: "drover's version" },
];

const CONFIG_FILE: Flag = {
  name: "config",
  type: "string",
  short: "c",
  value: "FILE",
  help: "the config file (default: drover.config.{ts,js,mjs,json} in this folder)",
};

/** --config and --run-dir: which master a command talks to. */
export const MASTER_FLAGS: readonly Flag[] = [
  {
    ...CONFIG_FILE,
    // The master reads the file it started from; this one only says where its run directory is.
    help: "the config whose runDir finds the master (a reload reads the master's own file)",
  },
  {
    name: "run-dir",
    type: "string",
    value: "DIR",
    help: "the master's run directory (default: the config's runDir, else .drover here)",
  },
];

// The value and help of each config flag; `runDir` and the like for a flag not listed.
const CONFIG_FLAG_HELP: Readonly<Record<string, readonly [value: string, help: string]>> = {
  listen: ["ADDR", "port, host:port, [v6]:port or a unix socket path; repeat for several"],
  app: ["FILE", "the app module (also the command's argument)"],
  "start-servers": ["N", "children started at first (startServers)"],
  "min-spare-workers": ["N", "fewest idle worker slots before more children start (minSpareWorkers)"],
  "max-spare-workers": ["N", "most idle worker slots before children are retired (maxSpareWorkers)"],
  "workers-per-child": ["N", "connections one child serves at once (workersPerChild)"],
  "max-request-workers": ["N", "connections served at once in all (maxRequestWorkers)"],
  "max-connections-per-child": ["N", "connections a child serves before it is replaced; 0: no limit"],
  "max-requests-per-child": ["N", "requests a child serves before it is replaced; 0: no limit"],
  "max-child-memory": ["SIZE", 'RSS past which a child is replaced ("512MiB"); 0: no limit'],
  "max-child-age": ["DURATION", 'age past which a child is replaced ("6h"); 0: no limit'],
  "graceful-shutdown-timeout": ["DURATION", "how long a graceful stop waits for requests in flight"],
  "shutdown-delay": ["DURATION", "how long a graceful stop keeps accepting first (for load balancers)"],
  "drain-timeout": ["DURATION", "how long a draining child may take"],
  "child-start-timeout": ["DURATION", "how long a new child may take to be ready"],
  "heartbeat-timeout": ["DURATION", "a child silent this long is hung: its stack is logged, it is killed"],
  "slow-request-threshold": ["DURATION", "routes slower than this take the slow lane; 0: off"],
  "slow-lane-max-wait": ["DURATION", "how long a request may wait in the slow lane; 0: no bound"],
  user: ["NAME|ID", "the user the children run as (the master starts as root)"],
  group: ["NAME|ID", "the group the children run as"],
  "run-dir": ["DIR", "where the pid file and the sockets go (runDir; default .drover beside the config)"],
  "log-level": ["LEVEL", "fatal, error, warn, info, debug, trace or silent"],
};

/** The flags that set config fields, --config first: for `start` and `configtest`. */
export function configFlags(): Flag[] {
  const flags: Flag[] = [CONFIG_FILE];
  for (const [name, option] of Object.entries(CONFIG_FLAGS)) {
    if (name === "config") continue;
    const [value, help] = CONFIG_FLAG_HELP[name] ?? ["VALUE", `sets ${fieldName(name)}`];
    flags.push({
      name,
      type: "string",
      ...("multiple" in option && option.multiple ? { multiple: true } : {}),
      value,
      help,
    });
  }
  return flags;
}

// "max-child-age" → "maxChildAge".
function fieldName(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
