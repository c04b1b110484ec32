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
  /** One way in at most: a user and pass, a token, a credentials file (`creds`) or an nkey seed file. */
  user?: string;
  pass?: string;
  token?: string;
  /** A credentials file (a user's JWT and nkey seed, as `nsc` writes it); relative to the config's folder. */
  creds?: string;
  /** A file holding a user's nkey seed ("SU..."); relative to the config's folder. */
  nkey?: string;
  /** TLS: true with the system's CAs, or the files of a CA and of a client certificate and its key. */
  tls?: true | { ca?: string; cert?: string; key?: string };
}

/** How a connection to NATS says who it is, and whether it is encrypted: checked, its paths absolute. */
export interface NatsSecurity {
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  readonly creds?: string;
  readonly nkey?: string;
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
}

/** A service's NATS transport, checked. */
export interface ResolvedNats extends NatsSecurity {
  readonly servers: readonly string[];
  readonly subject: string;
  readonly queue: string;
  readonly delivery: Delivery;
  readonly handOff: boolean;
}
