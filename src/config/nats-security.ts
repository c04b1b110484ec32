// How a master and its drones prove who they are to NATS, and whether the link is encrypted: a user and
// password, a token, an nkey seed file or a credentials (.creds) file (at most one), and TLS, with
// the system's CAs (`tls: true`) or the given CA, and a client certificate for servers that verify
// clients. Files are checked readable when the config is, so a typo fails the config, not the link.
import { accessSync, constants } from "node:fs";
import { resolve } from "node:path";
import { describeValue, isRecord } from "./errors.ts";
import type { NatsSecurity } from "./types/nats.ts";
import type { ConfigProblem } from "./types/problem.ts";

const SECRETS = ["user", "pass", "token"] as const;
const FILES = ["creds", "nkey"] as const;
const TLS_FILES = { ca: "caFile", cert: "certFile", key: "keyFile" } as const;

/** The security settings of `nats` (a service's transport.nats, at `field`); paths start from `baseDir`. */
export function readNatsSecurity(
  nats: Record<string, unknown>,
  field: string,
  baseDir: string,
  problems: ConfigProblem[],
): NatsSecurity {
  const before = problems.length;
  const security: { -readonly [K in keyof NatsSecurity]: NatsSecurity[K] } = {};
  for (const key of SECRETS) {
    const secret = nats[key];
    if (secret === undefined) continue;
    if (typeof secret === "string" && secret !== "") security[key] = secret;
    else
      problems.push({
        field: `${field}.${key}`,
        reason: `must be a non-empty string, got ${describeValue(secret)}`,
      });
  }
  for (const key of FILES) {
    const file = readFile(`${field}.${key}`, nats[key], baseDir, problems);
    if (file !== undefined) security[key] = file;
  }
  const tls = readTls(`${field}.tls`, nats.tls, baseDir, problems);
  if (tls !== undefined) security.tls = tls;
  if (problems.length > before) return security;
  // A user with no password (or the reverse) would be refused by the server, whatever it is.
  if ((security.user === undefined) !== (security.pass === undefined)) {
    const [given, missing] = security.user === undefined ? ["pass", "user"] : ["user", "pass"];
    problems.push({
      field: `${field}.${missing}`,
      reason: `is required with ${given}: give both, or another way in`,
    });
  }
  const ways = [security.user ?? security.pass, security.token, security.creds, security.nkey].filter(
    (way) => way !== undefined,
  );
  if (ways.length > 1) {
    problems.push({
      field,
      reason: "gives more than one way in (user and pass, token, creds, nkey): give one",
    });
  }
  return security;
}

function readTls(
  field: string,
  value: unknown,
  baseDir: string,
  problems: ConfigProblem[],
): NatsSecurity["tls"] {
  if (value === undefined || value === false) return undefined;
  if (value === true) return {};
  if (!isRecord(value)) {
    problems.push({
      field,
      reason: `must be true (TLS, the system's CAs) or { ca, cert, key } (files), got ${describeValue(value)}`,
    });
    return undefined;
  }
  const tls: { caFile?: string; certFile?: string; keyFile?: string } = {};
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(TLS_FILES, key)) {
      problems.push({
        field: `${field}.${key}`,
        reason: "is not a TLS setting: the settings are ca, cert, key",
      });
      continue;
    }
    const file = readFile(`${field}.${key}`, value[key], baseDir, problems);
    if (file !== undefined) tls[TLS_FILES[key as keyof typeof TLS_FILES]] = file;
  }
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    problems.push({
      field: `${field}.${tls.certFile === undefined ? "cert" : "key"}`,
      reason: "is required with the other: a client certificate needs its key, and the key its certificate",
    });
  }
  return tls;
}

function readFile(
  field: string,
  value: unknown,
  baseDir: string,
  problems: ConfigProblem[],
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    problems.push({ field, reason: `must be a file's path, got ${describeValue(value)}` });
    return undefined;
  }
  const path = resolve(baseDir, value);
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    problems.push({ field, reason: `cannot be read (${(error as NodeJS.ErrnoException).code}): ${path}` });
    return undefined;
  }
  return path;
}
