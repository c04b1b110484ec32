// Who may see an operator's page (status, metrics): loopback clients by default, or the addresses of
// an allow list (exact addresses or CIDR blocks), or anyone presenting the token. Anyone else: 403.

import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { BlockList, isIP } from "node:net";
import type { ModuleOptions } from "./options.ts";

export interface AccessRule {
  /** Whether `request` may see the page. */
  allows(request: IncomingMessage): boolean;
}

const LOOPBACK = ["127.0.0.0/8", "::1"];

/**
 * Reads the `allow` option (addresses and CIDR blocks; default loopback only) and the `token` option
 * (a secret given as `Authorization: Bearer <token>` or `?token=<token>`; default none).
 */
export function readAccessRule(options: ModuleOptions): AccessRule {
  const allow = options.stringArray("allow", LOOPBACK);
  const token = options.optionalString("token");
  if (token !== undefined && token.length < 16) {
    throw options.invalid("token", "must be at least 16 characters long: a short token is easy to guess.");
  }
  const list = new BlockList();
  for (const entry of allow) {
    const [address = "", prefix, extra] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      extra !== undefined ||
      (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= maxBits))
    ) {
      throw options.invalid(
        "allow",
        `holds ${JSON.stringify(entry)}, which is neither an IP address nor a CIDR block such as "10.0.0.0/8".`,
      );
    }
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  const expected = token === undefined ? undefined : Buffer.from(token);
  return {
    allows(request) {
      if (expected !== undefined) {
        const given = presentedToken(request);
        if (given !== undefined && sameSecret(given, expected)) return true;
      }
      return addressAllowed(list, request.socket.remoteAddress);
    },
  };
}

/** Answers 403 Forbidden. */
export function forbid(response: ServerResponse): void {
  response.writeHead(403, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  response.end("403 Forbidden: this page is served to allowed addresses only\n");
}

function addressAllowed(list: BlockList, remote: string | undefined): boolean {
  // A Unix socket's client is on this host, as a loopback one is (the socket's permissions guard it).
  if (remote === undefined) return list.check("127.0.0.1", "ipv4");
  // An IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote)?.[1];
  if (mapped !== undefined) return list.check(mapped, "ipv4");
  return list.check(remote, isIP(remote) === 6 ? "ipv6" : "ipv4");
}

function presentedToken(request: IncomingMessage): string | undefined {
  // An authentication scheme's name is case-insensitive (RFC 9110 11.1): "bearer" is "Bearer".
  const bearer = /^bearer (.+)$/i.exec(request.headers.authorization ?? "")?.[1];
  if (bearer !== undefined) return bearer.trim();
  const query = request.url?.indexOf("?") ?? -1;
  if (query < 0) return undefined;
  return new URLSearchParams(request.url?.slice(query + 1)).get("token") ?? undefined;
}

function sameSecret(given: string, expected: Buffer): boolean {
  const bytes = Buffer.from(given);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}
