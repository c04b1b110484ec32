// One service as the client calls it. A call is checked, encoded into one frame and handed to the
// connection; anything that cannot be sent (a bad name, params the serializer refuses) rejects at once
// with nothing sent.
import { encodeFrame } from "../dispatch/wire/frames.ts";
import { isWireName, Kind } from "../dispatch/wire/messages.ts";
import { ErrorCode, isDroverError } from "../errors.ts";
import type { ServiceShape } from "../service/define.ts";
import { encodeCall } from "./call-frame.ts";
import { NAME_RULE, readCall, unsendableParams } from "./call-options.ts";
import type { ClientConnection } from "./connection.ts";
import { DispatchError } from "./errors.ts";
import { ServiceBase } from "./service-base.ts";
import type { CallOptions } from "./types.ts";

export class RemoteService<D extends ServiceShape> extends ServiceBase<D> {
  readonly #connection: ClientConnection;

  constructor(connection: ClientConnection, name: string, defaultTimeoutMs: number | undefined) {
    super(name, defaultTimeoutMs);
    this.#connection = connection;
  }

  /** Sends one call (in `session` when given) and settles with its result. */
  send(
    method: string,
    params: unknown,
    options: CallOptions | undefined,
    session: string | undefined,
    defaultTimeoutMs: number | undefined,
  ): Promise<unknown> {
    let call: ReturnType<typeof readCall>;
    try {
      call = readCall(this.name, method, options, defaultTimeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    const connection = this.#connection;
    const id = connection.nextId();
    let frame: Buffer;
    try {
      frame = encodeCall(id, this.name, method, call.budget, session, params);
    } catch (error) {
      return Promise.reject(isDroverError(error) ? error : unsendableParams(this.name, method, error));
    }
    return connection.request(id, Kind.RESULT, frame, this.name, method, call.budget, call.signal);
  }

  /** Opens a session of this service; settles with its id. */
  openSession(budget: number | undefined): Promise<string> {
    const connection = this.#connection;
    const id = connection.nextId();
    const header =
      budget === undefined ? { id, service: this.name } : { id, service: this.name, timeoutMs: budget };
    const frame = encodeFrame(Kind.OPEN, header)[0] as Buffer;
    return connection.request(id, Kind.OPENED, frame, this.name, "", budget, undefined) as Promise<string>;
  }

  /** Closes `session`; settles once the master says it is closed. */
  async closeSession(session: string, budget: number | undefined): Promise<void> {
    const connection = this.#connection;
    const id = connection.nextId();
    const frame = encodeFrame(Kind.CLOSE, { id, session })[0] as Buffer;
    await connection.request(id, Kind.CLOSED, frame, this.name, session, budget, undefined);
  }
}

/** A service name the protocol can carry, or a DISPATCH_BAD_MESSAGE saying why not. */
export function checkServiceName(name: unknown): string {
  if (typeof name === "string" && isWireName(name)) return name;
  throw new DispatchError(
    ErrorCode.DISPATCH_BAD_MESSAGE,
    `${JSON.stringify(name) ?? String(name)} is not a service name (${NAME_RULE})`,
  );
}
