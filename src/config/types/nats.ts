// A service's NATS transport: as written under its `transport: { nats }`, the delivery its calls get
// (its `delivery`), and the checked form the transport runs with (the servers a list, the subject and
// the queue group filled in).

export type Delivery = "at-most-once" | "at-least-once";

/** A service's NATS transport, as written in the config. */
export interface NatsTransportConfig {
  /** The NATS server or servers: "127.0.0.1:4222", "nats://host:4222", or a list. */
  servers: string | string[];
  /** Callers send `<subject>.<method>`. Default "drover.<service name>". */
  subject?: string;
  /** The queue group every host's master joins for this service. Default: the subject. */
  queue?: string;
  /**
   * A call that meets a host with no idle drone goes to a host of the queue group that has one (at
   * most once). Default true; false leaves each call on the host NATS picked (hosts far apart, say).
   */
  handOff?: boolean;
  user?: string;
  pass?: string;
  token?: string;
}

/** A service's NATS transport, checked. */
export interface ResolvedNats {
  readonly servers: readonly string[];
  readonly subject: string;
  readonly queue: string;
  readonly delivery: Delivery;
  readonly handOff: boolean;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
}
