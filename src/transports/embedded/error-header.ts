// An ERROR frame's header, cut to fit: a frame's header is at most MAX_HEADER_BYTES of JSON, and the
// client closes a connection that sends a longer one, so a method that threw a 1 MiB message or stack
// must not cost its caller the connection. Each field keeps as much as fits, the stack going first.
import { type Header, MAX_HEADER_BYTES } from "../../dispatch/wire/frames.ts";
import type { ErrorHeader, RemoteError } from "../../dispatch/wire/messages.ts";
import type { FailureDetails } from "../seam.ts";

interface Budget {
  readonly message: number;
  readonly remoteMessage: number;
  readonly stack: number;
  readonly methods: number;
}

// Characters, tried in turn. JSON escapes a character in 6 bytes at worst, so the last always fits.
const BUDGETS: readonly Budget[] = [
  { message: 8192, remoteMessage: 8192, stack: 16_384, methods: 1000 },
  { message: 2048, remoteMessage: 2048, stack: 2048, methods: 100 },
  { message: 512, remoteMessage: 512, stack: 0, methods: 0 },
];

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} characters cut)`;

function withBudget(
  id: number,
  code: string,
  message: string,
  details: FailureDetails | undefined,
  budget: Budget,
): ErrorHeader {
  const header: { -readonly [K in keyof ErrorHeader]: ErrorHeader[K] } = {
    id,
    code: code.slice(0, 128),
    message: clip(message, budget.message),
  };
  const remote = details?.remote;
  if (remote) {
    const cut: { -readonly [K in keyof RemoteError]: RemoteError[K] } = {
      name: clip(String(remote.name), 200),
      message: clip(String(remote.message), budget.remoteMessage),
    };
    if (typeof remote.stack === "string" && budget.stack > 0) cut.stack = clip(remote.stack, budget.stack);
    if (typeof remote.code === "string") cut.code = clip(remote.code, 200);
    header.remote = cut;
  }
  if (details?.methods && budget.methods > 0) {
    header.methods = details.methods.slice(0, budget.methods).map((name) => clip(String(name), 200));
  }
  return header;
}

/** The ERROR header for call `id`, within MAX_HEADER_BYTES. */
export function errorHeader(
  id: number,
  code: string,
  message: string,
  details: FailureDetails | undefined,
): ErrorHeader & Header {
  let header: ErrorHeader | undefined;
  for (const budget of BUDGETS) {
    header = withBudget(id, code, message, details, budget);
    if (Buffer.byteLength(JSON.stringify(header)) <= MAX_HEADER_BYTES) break;
  }
  return header as ErrorHeader & Header;
}
