// `drover start --watch`, for development: a change to a file under the config's folder reloads the
// master gracefully, so the app keeps serving meanwhile, and a change that does not load (a syntax
// error, say) leaves the running generation serving, with the reason in the log. node_modules and .git
// (at any depth) and the run directory are not watched; changes that come together (an editor's save,
// a git checkout) make one reload. fs.watch with `recursive` (Linux: Node's own watcher, one inotify
// watch per file; ignored folders are not even walked).
import { type FSWatcher, watch } from "node:fs";
import { isAbsolute, relative, sep } from "node:path";
import { DroverError, ErrorCode, isDroverError } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { Master } from "../master/master.ts";

/** How long changes must have stopped before the reload: an editor's save is several events. */
const SETTLE_MS = 200;
const IGNORED_NAMES = new Set(["node_modules", ".git"]);

export interface WatchOptions {
  /** The folder watched, with everything under it. */
  readonly dir: string;
  /** Absolute paths left out (the run directory), beside node_modules and .git. */
  readonly ignore: readonly string[];
  /** Told once changes have settled, with the files changed (relative to dir). */
  readonly changed: (files: readonly string[]) => void;
  /** Told of a failure of the watcher after it started. */
  readonly failed: (error: Error) => void;
  readonly settleMs?: number;
}

export interface Watching {
  close(): void;
}

/** Starts watching; throws DROVER_ERR_WATCH_FAILED when the folder cannot be watched. */
export function watchForChanges(options: WatchOptions): Watching {
  const { dir } = options;
  const left = options.ignore
    .map((path) => relative(dir, path))
    .filter((path) => path !== "" && !path.startsWith("..") && !isAbsolute(path));
  const ignored = (path: string) =>
    path.split(sep).some((part) => IGNORED_NAMES.has(part)) ||
    left.some((out) => path === out || path.startsWith(`${out}${sep}`));
  const files = new Set<string>();
  let settle: NodeJS.Timeout | undefined;
  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { recursive: true, ignore: ignored }, (_event, filename) => {
      const file = filename === null ? "." : filename.toString();
      if (ignored(file)) return;
      files.add(file);
      clearTimeout(settle);
      settle = setTimeout(() => {
        const changed = [...files].sort();
        files.clear();
        options.changed(changed);
      }, options.settleMs ?? SETTLE_MS);
    });
  } catch (error) {
    throw new DroverError(ErrorCode.WATCH_FAILED, watchFailure(dir, error), { cause: error });
  }
  watcher.on("error", (error) =>
    options.failed(new DroverError(ErrorCode.WATCH_FAILED, watchFailure(dir, error))),
  );
  return {
    close: () => {
      clearTimeout(settle);
      watcher.close();
    },
  };
}

/** Watches the config's folder and reloads `master` at each change, until it stops. */
export function reloadOnChanges(master: Master, dir: string, log: Logger): Watching {
  const watching = watchForChanges({
    dir,
    ignore: [master.files.runDir],
    changed: (files) => {
      const what = files.length === 1 ? `${files[0]} changed` : `${files.length} files changed`;
      log.info({ files }, `watch: ${what}: reloading`);
      master.reload().then(
        ({ generation }) => log.info({ generation }, `watch: generation ${generation} serves the change`),
        (error: unknown) => {
          // A stop under way is no failure of the change.
          if (isDroverError(error, ErrorCode.STOPPING)) return;
          // The master has logged why (`reload failed: ...`).
          log.warn(
            { generation: master.generation },
            `watch: the change is not served, generation ${master.generation} serves on (the reason is logged above): fix it and save again`,
          );
        },
      );
    },
    failed: (error) => log.error({ err: error }, error.message),
  });
  log.info(
    { dir },
    `watch: a change under ${dir} reloads gracefully (node_modules, .git and the run directory aside)`,
  );
  void master.exited.then(() => watching.close());
  return watching;
}

function watchFailure(dir: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const limit =
    code === "ENOSPC" || code === "EMFILE"
      ? ": the system's limit of inotify watches is reached (one per file); raise fs.inotify.max_user_watches (sysctl), or run without --watch"
      : ": check that it exists and can be read, or run without --watch";
  return `cannot watch ${dir} for changes (${code ?? (error as Error).message})${limit}`;
}
