// A small dispatcher written for the transport's tests (the master's own is not part of them): the
// service "math" answers in this process, as a drone would through the master. It records what it was
// asked and how each call ended, so that tests can wait for what the server did.
import { deserialize, serialize } from "node:v8";
import { ErrorCode } from "../../../src/errors.ts";
import type { CallHandle, CallRequest, Dispatcher, Reply } from "../../../src/transports/seam.ts";

export const METHODS = ["add", "echo", "fail", "slow", "never", "hold", "count", "size", "bytes"] as const;

export interface TestDispatcher extends Dispatcher {
  /** Calls received, by method. */
  readonly calls: Map<string, number>;
  /** Calls the transport cancelled, with the reason's message. */
  readonly aborted: string[];
  /** Replies of `hold` calls, for the test to answer when it likes. */
  readonly held: Reply[];
  /** Sessions open now: id → calls counted in it. */
  readonly sessions: Map<string, number>;
  /** Sessions closed by their client. */
  readonly closed: string[];
  /** Ends `session` as the master would on an idle timeout: its calls then fail SESSION_EXPIRED. */
  expire(session: string): void;
  /** The body limit of every service. */
  limit: number;
  /** While true, OPENs are not answered but kept in heldOpens (their id is made when answered). */
  holdOpens: boolean;
  readonly heldOpens: Reply[];
  /** Answers a held OPEN with a new session's id. */
  answerOpen(reply: Reply): string;
}

export function testDispatcher(): TestDispatcher {
  const calls = new Map<string, number>();
  const aborted: string[] = [];
  const held: Reply[] = [];
  const sessions = new Map<string, number>();
  const closed: string[] = [];
  const heldOpens: Reply[] = [];
  let sessionCount = 0;
  const answerOpen = (reply: Reply) => {
    const session = `s-${++sessionCount}`;
    sessions.set(session, 0);
    reply.ok(Buffer.alloc(0), session);
    return session;
  };

  // The handle the transport cancels the call through (a caller's CANCEL, or its going away).
  const cancelled = (then: () => void): CallHandle => ({
    cancel: (reason) => {
      aborted.push(reason.message);
      then();
    },
  });

  const dispatcher: TestDispatcher = {
    calls,
    aborted,
    held,
    sessions,
    closed,
    limit: 32 * 1024 * 1024,
    holdOpens: false,
    heldOpens,
    answerOpen,
    expire: (session) => sessions.delete(session),
    load: (service) => (service === "math" ? { waiting: 0, maxBacklog: 1000, idle: 1, free: 1 } : undefined),
    hasSession: (session) => sessions.has(session),
    describe: () => undefined,
    demand: () => {},
    handOver: () => [],
    watchLoad: () => () => {},
    holdDrones: () => () => {},
    transportState: () => {},

    call(request: CallRequest, reply: Reply): CallHandle | undefined {
      calls.set(request.method, (calls.get(request.method) ?? 0) + 1);
      if (request.service !== "math") {
        reply.fail(ErrorCode.NO_SUCH_SERVICE, `no service "${request.service}" here: the services are math`);
        return undefined;
      }
      if (request.session !== undefined && !sessions.has(request.session)) {
        reply.fail(ErrorCode.SESSION_EXPIRED, `session ${request.session} of math expired: open a new one`);
        return undefined;
      }
      const params = deserialize(request.params) as Record<string, number> | undefined;
      switch (request.method) {
        case "add":
          reply.ok(serialize((params?.a ?? 0) + (params?.b ?? 0)));
          return undefined;
        case "echo":
          reply.ok(request.params);
          return undefined;
        case "bytes":
          reply.ok(serialize({ raw: Buffer.from("drover"), big: 2n ** 64n, tags: new Set(["a"]) }));
          return undefined;
        case "size":
          reply.ok(serialize(request.params.length));
          return undefined;
        case "fail":
          reply.fail(ErrorCode.METHOD_FAILED, "math.fail threw TypeError: boom", {
            remote: {
              name: "TypeError",
              message: "boom",
              stack: "TypeError: boom\n    at fail (math.ts:3:9)",
              code: "E_BOOM",
            },
          });
          return undefined;
        case "slow": {
          const timer = setTimeout(() => reply.ok(serialize("slept")), params?.ms ?? 0);
          return cancelled(() => {
            clearTimeout(timer);
            reply.fail(ErrorCode.DISPATCH_CANCELLED, "math.slow was cancelled by its caller");
          });
        }
        case "never":
          return cancelled(() => {});
        case "hold":
          held.push(reply);
          return cancelled(() => {});
        case "count": {
          const session = request.session;
          if (session === undefined) {
            reply.fail(ErrorCode.METHOD_FAILED, "math.count needs a session");
            return undefined;
          }
          const count = (sessions.get(session) ?? 0) + 1;
          sessions.set(session, count);
          reply.ok(serialize(count));
          return undefined;
        }
      }
      reply.fail(ErrorCode.NO_SUCH_METHOD, `math has no method "${request.method}"`, { methods: METHODS });
      return undefined;
    },

    open(service, _timeoutMs, _signal, reply) {
      if (service !== "math") {
        reply.fail(ErrorCode.NO_SUCH_SERVICE, `no service "${service}" here: the services are math`);
        return;
      }
      if (dispatcher.holdOpens) heldOpens.push(reply);
      else answerOpen(reply);
    },

    close(session, reply) {
      if (!sessions.delete(session)) {
        reply.fail(ErrorCode.SESSION_EXPIRED, `session ${session} has already ended`);
        return;
      }
      closed.push(session);
      reply.ok(Buffer.alloc(0));
    },

    bodyLimit: () => dispatcher.limit,
  };
  return dispatcher;
}
