// The key a request's timings count under when the app has not named its route: the method and the
// path without the query, with every segment that looks like an id written `*`, so that
// `/report/2024/17` and `/report/2025/3` are one route. A route the app names (route-name.ts) is
// keyed by its method and that name instead.

/**
 * The route a request counts under, e.g. `GET /report/*` for `/report/2024?x=1`. A path segment that
 * holds a digit (a number, a date, most ids and hashes), a UUID, or a run of 16 or more hex digits
 * counts as `*`. Allocates: callers on the request path go through RouteKeyCache.
 */
export function routeOf(request: {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
}): string {
  const url = request.url ?? "";
  const query = url.indexOf("?");
  return routeKey(request.method ?? "GET", query === -1 ? url : url.slice(0, query));
}

/** The key of `path` (already without its query) under `method`. */
export function routeKey(method: string, path: string): string {
  return `${method} ${path.replace(ID_SEGMENT, "/*")}`;
}

/** The key of a route the app named `name`, under `method`. */
export function namedRouteKey(method: string, name: string): string {
  return `${method} ${name}`;
}

// A segment with a digit in it, or a UUID, or a long run of hex digits, which may hold no digit at all.
const ID_SEGMENT =
  /\/(?:[^/]*\d[^/]*|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})(?=\/|$)/gi;
