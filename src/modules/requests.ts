// Modules that answer requests: in childInit a module hands drover a handler; every request reaches
// the modules' handlers, in childInit order, before the app. A handler decides at once (true or false)
// or later (a promise, while the request waits). One that throws or rejects answers 500 for itself and
// is logged; the child goes on serving.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HookLogger } from "./context.ts";

/**
 * Sees a request before the app. Returns true when it answers the request, false to pass it on, or a
 * promise of either: the request then waits for it (deciding at once is cheaper, when it can).
 */
export type ModuleRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
) => boolean | Promise<boolean>;

/** What childInit hooks use to serve requests. */
export interface RequestHandlerRegistration {
  /** Adds a handler ahead of the app (and of the handlers of modules whose childInit runs later). */
  use(handler: ModuleRequestHandler): void;
}

interface Entry {
  readonly module: string;
  readonly handler: ModuleRequestHandler;
}

export class ModuleRequestHandlers {
  readonly #entries: Entry[] = [];
  readonly #log: HookLogger;

  constructor(log: HookLogger) {
    this.#log = log;
  }

  forModule(module: string): RequestHandlerRegistration {
    return {
      use: (handler) => {
        if (typeof handler !== "function") {
          throw new TypeError(
            `module "${module}" passed requests.use() a ${typeof handler}: give it a function`,
          );
        }
        this.#entries.push({ module, handler });
      },
    };
  }

  /** Offers the request to each handler in turn: true when one answered it, or a promise of that. */
  handle(request: IncomingMessage, response: ServerResponse, from = 0): boolean | Promise<boolean> {
    for (let index = from; index < this.#entries.length; index++) {
      const { module, handler } = this.#entries[index] as Entry;
      let handled: boolean | Promise<boolean>;
      try {
        handled = handler(request, response);
      } catch (error) {
        return this.#failed(module, error, request, response);
      }
      if (handled === true) return true;
      if (handled !== false && typeof handled?.then === "function") {
        return handled.then(
          (answered) => answered === true || this.handle(request, response, index + 1),
          (error: unknown) => this.#failed(module, error, request, response),
        );
      }
    }
    return false;
  }

  #failed(module: string, error: unknown, request: IncomingMessage, response: ServerResponse): true {
    this.#log.error(`module "${module}" failed to handle ${request.method} ${request.url}`, {
      module,
      err: error,
    });
    if (!response.headersSent) {
      response.writeHead(500, { "content-type": "text/plain; charset=utf-8", connection: "close" });
      response.end("internal server error\n");
    } else {
      response.destroy();
    }
    return true;
  }
}
