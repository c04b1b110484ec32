// What every service client does the same whatever carries its calls: a call with the client's
// default budget, and a session opened, then pinned to through RemoteSession.
import type { ParamsOf, ResultOf, ServiceShape } from "../service/define.ts";
import { checkKnown } from "./known-options.ts";
import { RemoteSession, type SessionHost } from "./session.ts";
import { timeoutMs } from "./timeouts.ts";
import type { CallOptions, ServiceClient, Session, SessionOptions } from "./types.ts";

export abstract class ServiceBase<D extends ServiceShape> implements ServiceClient<D>, SessionHost {
  readonly name: string;
  /** The client's budget for a call that gives none. */
  protected readonly timeoutMs: number | undefined;

  constructor(name: string, defaultTimeoutMs: number | undefined) {
    this.name = name;
    this.timeoutMs = defaultTimeoutMs;
  }

  call<K extends keyof D["methods"] & string>(
    method: K,
    params: ParamsOf<D, K>,
    options?: CallOptions,
  ): Promise<ResultOf<D, K>> {
    return this.send(method, params, options, undefined, this.timeoutMs) as Promise<ResultOf<D, K>>;
  }

  async session(given: SessionOptions = {}): Promise<Session<D>> {
    const options = given ?? {};
    checkKnown(options, ["timeout", "reconnect"], `${this.name}.session()`);
    const budget = timeoutMs(options.timeout, `the session's timeout for ${this.name}`) ?? this.timeoutMs;
    const id = await this.openSession(budget);
    return new RemoteSession<D>(this, id, options.reconnect === true, budget);
  }

  /** Sends one call (in `session` when given) and settles with its result. */
  abstract send(
    method: string,
    params: unknown,
    options: CallOptions | undefined,
    session: string | undefined,
    defaultTimeoutMs: number | undefined,
  ): Promise<unknown>;
  /** Opens a session of this service; settles with its id. */
  abstract openSession(budget: number | undefined): Promise<string>;
  /** Closes `session`; settles once it is closed. */
  abstract closeSession(session: string, budget: number | undefined): Promise<void>;
}
