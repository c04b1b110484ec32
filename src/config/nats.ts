// Reads a service's `transport: { nats: { ... } }`: the NATS servers its master and drones connect to,
// the subject callers send to and the queue group every host's master joins (docs/services.md, "Many
// hosts"). Without a transport a service is reached through the master's own socket alone.
import { describeValue, isRecord } from "./errors.ts";
import { readNatsSecurity } from "./nats-security.ts";
import { suggestField } from "./suggest.ts";
import type { NatsTransportConfig, ResolvedNats } from "./types/nats.ts";
import type { ConfigProblem } from "./types/problem.ts";

const FIELDS: Record<keyof NatsTransportConfig, true> = {
  servers: true,
  subject: true,
  queue: true,
  handOff: true,
  user: true,
  pass: true,
  token: true,
  creds: true,
  nkey: true,
  tls: true,
};
const FIELD_NAMES = Object.keys(FIELDS);
// Tokens of letters, digits, - and _, joined by dots; no wildcard, no empty token: a subject a
// subscription can end in ".>" after.
const SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
// [scheme://][user[:pass]@]host[:port], the host a name, an IPv4 address or a bracketed IPv6 one.
const SERVER = /^(?:(?:nats|tls):\/\/)?(?:[^\s/@]+@)?(?:\[[0-9A-Fa-f:.]+\]|[^\s/:@[\]]+)(?::(\d{1,5}))?$/;
const MAX_SUBJECT = 200;

/** The NATS transport of service `name`, or undefined when it has none. Problems are named `at.transport...`. */
export function readNatsTransport(
  value: unknown,
  delivery: unknown,
  name: string,
  at: string,
  baseDir: string,
  problems: ConfigProblem[],
): ResolvedNats | undefined {
  if (delivery !== undefined && delivery !== "at-most-once" && delivery !== "at-least-once") {
    problems.push({
      field: `${at}.delivery`,
      reason: `must be "at-most-once" (the default) or "at-least-once", got ${describeValue(delivery)}`,
    });
  } else if (delivery === "at-least-once" && value === undefined) {
    problems.push({
      field: `${at}.delivery`,
      reason:
        'is "at-least-once", which goes through a NATS JetStream stream: give the service transport: { nats: { servers } } too, or leave delivery out',
    });
  }
  if (value === undefined) return undefined;
  const field = `${at}.transport`;
  if (!isRecord(value) || !isRecord(value.nats) || Object.keys(value).length !== 1) {
    problems.push({
      field,
      reason: `must be { nats: { servers: "127.0.0.1:4222" } } (or left out for the master's own socket alone), got ${describeValue(value)}`,
    });
    return undefined;
  }
  const nats = value.nats;
  const before = problems.length;
  for (const key of Object.keys(nats)) {
    if (Object.hasOwn(FIELDS, key)) continue;
    const near = suggestField(key, FIELD_NAMES);
    problems.push({
      field: `${field}.nats.${key}`,
      reason: `is not a NATS setting: ${near === undefined ? `the settings are ${FIELD_NAMES.join(", ")}` : `did you mean "${near}"?`}`,
    });
  }
  const servers = readServers(`${field}.nats.servers`, nats.servers, problems);
  const subject = readSubject(
    `${field}.nats.subject`,
    nats.subject ?? `drover.${subjectToken(name)}`,
    problems,
  );
  // A queue left out is the subject: a bad subject is not reported again as a bad queue.
  const queue = nats.queue === undefined ? subject : readSubject(`${field}.nats.queue`, nats.queue, problems);
  const security = readNatsSecurity(nats, `${field}.nats`, baseDir, problems);
  const handOff = nats.handOff ?? true;
  if (typeof handOff !== "boolean") {
    problems.push({
      field: `${field}.nats.handOff`,
      reason: `must be true or false, got ${describeValue(handOff)}`,
    });
  }
  if (problems.length > before) return undefined;
  return Object.freeze({
    servers: Object.freeze(servers),
    subject,
    queue,
    delivery: delivery === "at-least-once" ? "at-least-once" : "at-most-once",
    handOff: handOff === true,
    ...security,
  });
}

/** A service name as one subject token: the characters a name may have that a token may not become "_". */
export function subjectToken(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, "_");
}

function readServers(field: string, value: unknown, problems: ConfigProblem[]): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    const what = value === undefined ? "is required" : "must be a server or a list of them";
    problems.push({
      field,
      reason: `${what}: the NATS server or servers to connect to, e.g. "127.0.0.1:4222" or ["nats://a:4222", "nats://b:4222"], got ${describeValue(value)}`,
    });
    return [];
  }
  const servers: string[] = [];
  for (const server of list) {
    if (typeof server === "string" && isServerAddress(server)) servers.push(server);
    else
      problems.push({
        field,
        reason: `lists ${describeValue(server)}, which is not a server address ("host:port" or "nats://host:port", a port from 1 to 65535)`,
      });
  }
  return servers;
}

function isServerAddress(text: string): boolean {
  const port = SERVER.exec(text)?.[1];
  if (port === undefined) return SERVER.test(text);
  return Number(port) >= 1 && Number(port) <= 65535;
}

function readSubject(field: string, value: unknown, problems: ConfigProblem[]): string {
  if (
    typeof value === "string" &&
    value.length <= MAX_SUBJECT &&
    SUBJECT.test(value) &&
    !value.startsWith("_DROVER")
  ) {
    return value;
  }
  problems.push({
    field,
    reason: `must be a NATS subject of dot-separated tokens of letters, digits, "-" or "_" (no wildcards, at most ${MAX_SUBJECT} characters, not under _DROVER), got ${describeValue(value)}`,
  });
  return "";
}
