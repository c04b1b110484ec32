// Answers given while a master's NATS connection is down. nats.js takes a publish then and drops it at
// its next dial (it resets its outbound buffer), so an answer to a call that settled meanwhile (its
// drone's result came back through the master, or an error) would be lost though the call counts as
// answered. They are held here instead, within bounds, and published once the connection is back:
// after a moment, since the callers reconnect on the same schedule and NATS drops a message for an
// inbox that nobody has subscribed again yet. A caller that gave up meanwhile ignores its late answer.
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";

// At most this much is held; the oldest answers go first.
const MAX_HELD_BYTES = 64 * 1024 * 1024;
// Older answers are not sent: no caller waits that long by default.
const MAX_AGE_MS = 60_000;
/** How long after the connection is back the held answers go out. */
export const RESEND_AFTER_MS = 500;

interface Held {
  readonly subject: string;
  readonly body: Uint8Array;
  readonly headers: MsgHdrs | undefined;
  readonly at: number;
}

export class HeldAnswers {
  readonly #connection: NatsConnection;
  #down = false;
  #held: Held[] = [];
  #bytes = 0;
  // Read while connected: a reconnecting client knows no server's limit.
  #maxPayload: number;

  constructor(connection: NatsConnection) {
    this.#connection = connection;
    this.#maxPayload = connection.info?.max_payload ?? 1024 * 1024;
  }

  get down(): boolean {
    return this.#down;
  }

  lost(): void {
    this.#down = true;
  }

  /** The connection is back: the held answers go out in a moment; resolves with how many. */
  async back(): Promise<number> {
    this.#down = false;
    this.#maxPayload = this.#connection.info?.max_payload ?? this.#maxPayload;
    await new Promise((resolve) => setTimeout(resolve, RESEND_AFTER_MS).unref());
    // Lost again meanwhile: they wait for the next time it is back.
    if (this.#down) return 0;
    const held = this.#held.splice(0);
    this.#bytes = 0;
    const oldest = Date.now() - MAX_AGE_MS;
    let sent = 0;
    for (const answer of held) {
      if (answer.at < oldest || this.#connection.isClosed()) continue;
      try {
        this.#connection.publish(
          answer.subject,
          answer.body,
          answer.headers ? { headers: answer.headers } : undefined,
        );
        sent++;
      } catch {
        // Closed meanwhile: nobody to send to.
      }
    }
    return sent;
  }

  /** Holds an answer to `subject`; false when it is more than one message may carry. */
  hold(subject: string, body: Uint8Array, headers: MsgHdrs | undefined): boolean {
    if (body.byteLength > this.#maxPayload) return false;
    this.#held.push({ subject, body, headers, at: Date.now() });
    this.#bytes += body.byteLength;
    while (this.#bytes > MAX_HELD_BYTES) {
      const oldest = this.#held.shift();
      if (!oldest) break;
      this.#bytes -= oldest.body.byteLength;
    }
    return true;
  }
}

const byConnection = new WeakMap<NatsConnection, HeldAnswers>();

/** The held answers of `connection` (one set per connection, made on first use). */
export function heldAnswers(connection: NatsConnection): HeldAnswers {
  let held = byConnection.get(connection);
  if (!held) {
    held = new HeldAnswers(connection);
    byConnection.set(connection, held);
  }
  return held;
}
