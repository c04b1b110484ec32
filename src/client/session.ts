// A session: calls pinned to one drone until it is closed, idles out or reaches its lifetime. With
// `reconnect`, a call that finds the session expired opens a new one (fresh state, maybe another drone)
// and is sent again, once; concurrent calls that meet the same expiry share the one new session.
import { ErrorCode, isDroverError } from "../errors.ts";
import type { ParamsOf, ResultOf, ServiceShape } from "../service/define.ts";
import { DispatchError } from "./errors.ts";
import type { CallOptions, Session } from "./types.ts";

/** What a session needs of its service's client, whatever carries its calls. */
export interface SessionHost {
  readonly name: string;
  send(
    method: string,
    params: unknown,
    options: CallOptions | undefined,
    session: string | undefined,
    defaultTimeoutMs: number | undefined,
  ): Promise<unknown>;
  openSession(budget: number | undefined): Promise<string>;
  closeSession(session: string, budget: number | undefined): Promise<void>;
}

export class RemoteSession<D extends ServiceShape> implements Session<D> {
  readonly #service: SessionHost;
  readonly #reconnect: boolean;
  readonly #timeoutMs: number | undefined;
  #id: string;
  #reopening: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(service: SessionHost, id: string, reconnect: boolean, timeoutMs: number | undefined) {
    this.#service = service;
    this.#id = id;
    this.#reconnect = reconnect;
    this.#timeoutMs = timeoutMs;
  }

  get id(): string {
    return this.#id;
  }

  call<K extends keyof D["methods"] & string>(
    method: K,
    params: ParamsOf<D, K>,
    options?: CallOptions,
  ): Promise<ResultOf<D, K>> {
    return this.#call(method, params, options) as Promise<ResultOf<D, K>>;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #call(method: string, params: unknown, options: CallOptions | undefined): Promise<unknown> {
    if (this.#closing) {
      throw new DispatchError(
        ErrorCode.SESSION_EXPIRED,
        `session ${this.#id} of ${this.#service.name} was closed (session.close()): open a new one with ` +
          "service.session(); nothing was sent",
      );
    }
    const used = this.#id;
    try {
      return await this.#service.send(method, params, options, used, this.#timeoutMs);
    } catch (error) {
      if (!this.#reconnect || this.#closing || !isDroverError(error, ErrorCode.SESSION_EXPIRED)) throw error;
    }
    if (this.#id === used) {
      this.#reopening ??= this.#reopen();
      await this.#reopening;
    }
    return this.#service.send(method, params, options, this.#id, this.#timeoutMs);
  }

  async #reopen(): Promise<void> {
    try {
      this.#id = await this.#service.openSession(this.#timeoutMs);
    } finally {
      this.#reopening = undefined;
    }
  }

  async #close(): Promise<void> {
    if (this.#reopening) await this.#reopening.catch(() => {});
    try {
      await this.#service.closeSession(this.#id, this.#timeoutMs);
    } catch (error) {
      // Already ended by the master (idle, lifetime, a reload): closed either way.
      if (!isDroverError(error, ErrorCode.SESSION_EXPIRED)) throw error;
    }
  }
}
