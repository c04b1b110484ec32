// env: variables set in every child's and drone's environment, over what the master inherited. Read
// again at each reload, so that a new generation gets new values (a rotated secret) without a stop.
import { describeValue, isRecord } from "./errors.ts";
import type { ConfigProblem } from "./types/problem.ts";

// Names drover sets in its children itself (DROVER_CHILD, DROVER_LOG_LEVEL) start with this.
const OWN_PREFIX = "DROVER_";

/** The variables as strings (a number is written out); {} after a problem. */
export function readEnv(value: unknown, problems: ConfigProblem[]): Readonly<Record<string, string>> {
  if (value === undefined) return Object.freeze({});
  if (!isRecord(value)) {
    problems.push({
      field: "env",
      reason: `must be an object of variables, e.g. { NODE_ENV: "production" }, got ${describeValue(value)}`,
    });
    return Object.freeze({});
  }
  const before = problems.length;
  const env: Record<string, string> = {};
  for (const [name, given] of Object.entries(value)) {
    const field = `env.${name}`;
    if (name === "" || name.includes("=") || name.includes("\0")) {
      problems.push({ field, reason: 'is not a variable name: a name is not empty and holds no "="' });
    } else if (name.toUpperCase().startsWith(OWN_PREFIX)) {
      problems.push({
        field,
        reason: `is drover's own (names starting with ${OWN_PREFIX} are): choose another name`,
      });
    } else if (typeof given === "string" && !given.includes("\0")) {
      env[name] = given;
    } else if (typeof given === "number" && Number.isFinite(given)) {
      env[name] = String(given);
    } else {
      problems.push({
        field,
        reason: `must be a string (or a number), got ${describeValue(given)}${typeof given === "boolean" ? `: write "${given}"` : ""}`,
      });
    }
  }
  return Object.freeze(problems.length > before ? {} : env);
}
