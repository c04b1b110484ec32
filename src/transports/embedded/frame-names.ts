// What a refused frame was, in words for the log.
import type { Header } from "../../dispatch/wire/frames.ts";
import { CLIENT_KINDS, Kind } from "../../dispatch/wire/messages.ts";

const KIND_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Kind).map(([name, kind]) => [kind, name]),
);

export const kindName = (kind: number): string => KIND_NAMES[kind] ?? `kind ${kind}`;

/** Why a caller's frame with this kind and header is refused. */
export function badHeader(kind: number, header: Header): string {
  if (!CLIENT_KINDS.includes(kind))
    return `it sent a frame of ${kindName(kind)}, which a caller may not send`;
  return `its ${kindName(kind)} frame has a malformed header: ${JSON.stringify(header).slice(0, 200)}`;
}
