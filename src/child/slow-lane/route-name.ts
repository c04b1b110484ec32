// Routes an app names. drover can only guess a route from the path (route-key.ts): `/users/alice` and
// `/users/bob` look like two routes, and neither is ever learnt. The app's router knows better, so it
// may say which route a request took; the slow lane then times every such request as one route.
import type { IncomingMessage } from "node:http";
import { DroverError, ErrorCode } from "../../errors.ts";

/** Longer names are refused: a name is a pattern (`/users/:id`), not a URL. */
export const ROUTE_NAME_MAX_LENGTH = 256;

// Symbol.for, so that an app importing another copy of drover names routes this copy reads.
const routeName = Symbol.for("drover.routeName");
type NamedRequest = IncomingMessage & { [routeName]?: string };

/**
 * Names the route `request` took, e.g. `nameRoute(req, "/users/:id")`, for the slow lane: requests
 * with one name (and method) are timed as one route, whatever their path. Call it before the handler
 * returns. Throws DROVER_ERR_ROUTE_NAME_INVALID, and names nothing, for a name that is not a string of
 * 1 to 256 characters.
 */
export function nameRoute(request: IncomingMessage, name: string): void {
  if (typeof request !== "object" || request === null) {
    throw new DroverError(
      ErrorCode.ROUTE_NAME_INVALID,
      `nameRoute() takes the request first, got ${request === null ? "null" : typeof request}: call nameRoute(req, "/users/:id")`,
    );
  }
  if (typeof name !== "string" || name.length === 0 || name.length > ROUTE_NAME_MAX_LENGTH) {
    const got = typeof name === "string" ? `a string of ${name.length} characters` : typeof name;
    throw new DroverError(
      ErrorCode.ROUTE_NAME_INVALID,
      `nameRoute() takes the route's name as a string of 1 to ${ROUTE_NAME_MAX_LENGTH} characters, got ${got}: ` +
        'pass the pattern your router matched, e.g. "/users/:id"',
    );
  }
  (request as NamedRequest)[routeName] = name;
}

/** The name the app gave the route of `request`, if it named one. */
export function routeNameOf(request: IncomingMessage): string | undefined {
  return (request as NamedRequest)[routeName];
}
