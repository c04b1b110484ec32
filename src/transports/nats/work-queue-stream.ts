// The JetStream side of a service taken at least once: its work-queue stream (`DROVER_<subject>`,
// capturing `<subject>.>`) and the one durable pull consumer every host's master shares, made by
// whichever host comes first (the same config is no change) and brought to this drover's ack wait.
import { AckPolicy, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { nanos } from "@nats-io/transport-node";

/** The durable consumer every host's master shares. */
export const CONSUMER = "drover";
// How long JetStream waits for an ack before it delivers a call again: a host that died holding it, or
// a pull that gave up (its heartbeats late on a loaded host) as the call was on its way to it. A running
// call tells it to wait on (working()) well within it.
export const ACK_WAIT_MS = 10_000;

/** The stream of a service subject: stream names have no dots. */
export function streamName(subject: string): string {
  return `DROVER_${subject.replace(/\./g, "_")}`;
}

/** Makes the stream of `subject` and its consumer unless they exist. */
export async function ensureStream(connection: NatsConnection, subject: string): Promise<void> {
  const stream = streamName(subject);
  const manager = await jetstreamManager(connection);
  await manager.streams.info(stream).catch(() =>
    manager.streams.add({
      name: stream,
      subjects: [`${subject}.>`],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    }),
  );
  const consumer = await manager.consumers.info(stream, CONSUMER).catch(() => undefined);
  if (!consumer) {
    await manager.consumers.add(stream, {
      durable_name: CONSUMER,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ACK_WAIT_MS),
      max_deliver: -1,
    });
  } else if (consumer.config.ack_wait !== nanos(ACK_WAIT_MS)) {
    // A consumer made by an older drover, with another ack wait: this one's is what the working() beat assumes.
    await manager.consumers.update(stream, CONSUMER, { ack_wait: nanos(ACK_WAIT_MS) });
  }
}
