// drover's one logger: pino, writing JSON lines synchronously to stderr, so that a message logged just
// before an exit is never lost and the app keeps stdout to itself. An error's cause is logged as a
// field of its own (errWithCause): drover's messages already say what their cause said, and pino's
// default serializer would append it to the message a second time.
import { type Logger, pino } from "pino";
import type { LogLevel } from "../config/types/values.ts";

export type { Logger } from "pino";

export function createLogger(level: LogLevel, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, ...bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.errWithCause },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
