// The NATS transport (docs/services.md, "Many hosts"). The master loads it only when a service has
// `transport: { nats }`, so that a master without one never loads the NATS client.
export { NatsTransport } from "./transport.ts";
