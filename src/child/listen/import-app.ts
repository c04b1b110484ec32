// Imports the app module with listen() captured (see listen-capture.ts), and decides what the child
// serves: the module's default export when it is one drover can serve (a handler or defineApp), else
// the server the app called listen() on, else nothing (the default export's refusal says what to do).
// An app that loaded without either may still listen later, once a promise settles (a database
// connection): the child waits for that while the app has work under way.
import type { Server as HttpServer } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { type AppDefinition, exportsNothing, isAppExport, toAppDefinition } from "../../app/define.ts";
import type { Logger } from "../../log/logger.ts";
import { actAsClusterWorker } from "./cluster-worker.ts";
import { type CapturedListen, ListenCapture } from "./listen-capture.ts";
import { activeResources, hasWorkBeyond, type ResourceCounts } from "./pending-work.ts";

// How often a child waiting for a late listen() looks whether the app still has work under way.
const LATE_LISTEN_POLL_MS = 20;
// After this long waiting, the child says what it waits for (childStartTimeout still ends the wait).
const LATE_LISTEN_WARN_MS = 5_000;

export interface ImportedApp {
  readonly definition: AppDefinition;
  /** The app called listen() on the server it serves: 'listening' has been emitted already. */
  readonly listened: boolean;
}

/** `listeners` are the master's addresses, where drover serves a server the app listens with. */
export async function importApp(
  path: string,
  listeners: readonly string[],
  log: Logger,
): Promise<ImportedApp> {
  const capture = new ListenCapture(listeners, log);
  const baseline = activeResources();
  capture.install();
  try {
    const asPrimary = actAsClusterWorker();
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(path).href)) as { default?: unknown };
    } finally {
      asPrimary();
    }
    return await choose(module.default, path, capture, baseline, log);
  } finally {
    capture.restore();
  }
}

async function choose(
  exported: unknown,
  path: string,
  capture: ListenCapture,
  baseline: ResourceCounts,
  log: Logger,
): Promise<ImportedApp> {
  if (isAppExport(exported)) {
    const first = capture.first;
    if (first) {
      log.warn(
        { listen: first.text },
        `app called ${first.text} and default-exports what to serve: drover serves the default export on ${capture.servedOn}, and the listen() bound nothing; remove it`,
      );
    }
    return { definition: toAppDefinition(exported, path), listened: false };
  }
  const first =
    capture.first ?? (exportsNothing(exported) ? await lateListen(capture, baseline, log) : undefined);
  if (!first) return { definition: toAppDefinition(exported, path), listened: false };
  log.info(
    { listen: first.text, servedOn: capture.servedOn },
    `app called ${first.text}; drover serves it on ${capture.servedOn} instead (the config's listen, shared by every child)`,
  );
  // An http.Server, or one of its kind (https, http2, a plain net.Server): connections are what it takes.
  const server = first.server as HttpServer;
  return { definition: { createServer: () => server }, listened: true };
}

// A listen() that comes after the import, for as long as the app has work of its own under way.
async function lateListen(
  capture: ListenCapture,
  baseline: ResourceCounts,
  log: Logger,
): Promise<CapturedListen | undefined> {
  const started = Date.now();
  let warned = false;
  // Two looks in a row with nothing under way: a listen() in a promise chain or an immediate has run.
  let idle = 0;
  while (capture.first === undefined && idle < 2) {
    // Unref'd, so that the wait itself is not counted as the app's work.
    await Promise.race([capture.captured, delay(LATE_LISTEN_POLL_MS, undefined, { ref: false })]);
    idle = hasWorkBeyond(baseline) ? 0 : idle + 1;
    if (!warned && Date.now() - started > LATE_LISTEN_WARN_MS) {
      warned = true;
      log.warn(
        `the app module loaded ${LATE_LISTEN_WARN_MS / 1000} s ago with no default export and has not called listen() yet: waiting for it while it has work under way (at most childStartTimeout)`,
      );
    }
  }
  return capture.first;
}
