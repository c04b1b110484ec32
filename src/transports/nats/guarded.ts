// A subscription's callback that never throws. nats.js runs callbacks inside the connection's reader,
// and a throw out of one ends that reader: nothing more arrives on the connection (every service's
// calls, cancels, sessions) until its pings find it stale and it is dialled again. Whatever one
// message does, it costs that message alone.
import type { Msg } from "@nats-io/transport-node";

export function guarded(
  handle: (message: Msg) => void,
  failed: (error: unknown, message: Msg) => void,
): (error: Error | null, message: Msg) => void {
  return (error, message) => {
    if (error) return;
    try {
      handle(message);
    } catch (thrown) {
      try {
        failed(thrown, message);
      } catch {}
    }
  };
}
