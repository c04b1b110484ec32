// A service that takes core requests (at most once) on a subject that a JetStream stream of drover's
// still captures, left from a time it was "at-least-once" (or kept by a host that still is): the
// stream stores a copy of every call and acknowledges it to the caller. drover's client ignores that
// acknowledgement, but the copies pile up, so the master says so, once, with the fix.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ResolvedNats } from "../../config/types/nats.ts";
import type { Logger } from "../../log/logger.ts";
import { streamName } from "./work-queue-stream.ts";

// A nats-server without JetStream answers the API check with no responders at once; a slow one is not waited for.
const CHECK_TIMEOUT_MS = 2_000;

export async function warnOfLeftoverStream(
  service: string,
  nats: ResolvedNats,
  connection: NatsConnection,
  log: Logger,
): Promise<void> {
  const stream = streamName(nats.subject);
  const info = await jetstreamManager(connection, { timeout: CHECK_TIMEOUT_MS })
    .then((manager) => manager.streams.info(stream))
    .catch(() => undefined);
  if (!info) return;
  log.warn(
    { service, stream, subject: nats.subject },
    `service "${service}" takes calls at most once, but the JetStream stream ${stream} still captures ${nats.subject}.> ` +
      `and stores a copy of each: once no host runs it with delivery "at-least-once", delete the stream (nats stream rm ${stream}, or see docs/services.md without the NATS CLI)`,
  );
}
