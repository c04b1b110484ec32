// The help text of the `drover` command.
export const USAGE = `Usage: drover <command> [options]

Commands:
  start [app]     run the master in the foreground until it is stopped
  stop            stop the master at once: children exit now (SIGKILL 3 s later if they have not)
                    --graceful      let children finish their requests first (what SIGTERM does)
                    --timeout T     how long a graceful stop may take: "30s", "1m", or seconds
                                    (default: gracefulShutdownTimeout)
  reload          graceful restart: re-read the config, start a new generation, drain the old one
  restart         hard restart: re-read the config, kill every child, start a new generation
                    both wait until the new generation serves (or fails), as long as the master's
                    hookTimeout and childStartTimeout allow
                    --timeout T     wait at most T (the master carries on): "2m", or seconds
  upgrade         upgrade drover or Node without downtime: a new master from the installed code
                  takes the sockets over, then this one stops gracefully (SIGURG does the same)
                    --timeout T     wait at most T (the master carries on): "2m", or seconds
  status          show the children and the scoreboard (read from shared memory)
                    --json          as JSON
  configtest      check the config and say what would be adjusted; runs nothing
  systemd         print a systemd service unit for the config (see drover systemd --help)
                    --socket        print the socket unit that holds the listeners instead
  call SERVICE METHOD [JSON]
                  call a method of a service and print its result as JSON (binary data as
                  base64); the params are one JSON argument, e.g. '{"a":1,"b":2}'
                    --timeout T     the call's budget: "5s", or seconds (default: the
                                    service's requestTimeout)

Options for every command:
  -c, --config FILE       the config file (default: drover.config.{ts,js,mjs,json} in this folder)
  --run-dir DIR           where the control and service sockets and pid file are (default: .drover)
  -h, --help              this text
  -v, --version           drover's version

Options for start, reload's config, and configtest (they override the config file):
  --listen ADDR           port, host:port, [v6]:port or a unix socket path; repeat for several
  --app FILE              the app module (also the argument of start)
  --start-servers N       --min-spare-workers N   --max-spare-workers N
  --workers-per-child N   --max-request-workers N --max-connections-per-child N
  --graceful-shutdown-timeout DURATION            --heartbeat-timeout DURATION
  --slow-request-threshold DURATION
  --user NAME|ID          --group NAME|ID         --log-level LEVEL
  --single                run one child's work in this process, with no master (for debugging)
  --watch                 (start) reload gracefully at each change of a file beside the config
                          (development; node_modules, .git and the run directory aside)

Exit codes: 0 done; 1 the command failed (the message says why); 2 bad usage or config;
3 no master is running in the run directory.`;
