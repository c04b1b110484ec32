// Route keys by URL, so that a child working out the route of every request (which it does once any
// route is slow) builds a key and runs the id regex once per path, not once per request. It also
// remembers the routes the app named: the lane must decide whether a request waits before the app's
// router has seen it, so a path the app named once counts under that name from then on.
import { namedRouteKey, routeKey } from "./route-key.ts";

/** Paths and names remembered, all methods together; past this the cache starts over. */
export const ROUTE_KEYS_KEPT = 1024;
/** Longer paths are keyed every time rather than kept: a client could send many. */
export const ROUTE_KEY_PATH_MAX = 256;

interface MethodKeys {
  // Path (without the query) to key: routeKey's, or the key of the route the app named for it.
  readonly paths: Map<string, string>;
  // The app's route name to its key.
  readonly names: Map<string, string>;
}

export class RouteKeyCache {
  // Node's parser only passes the methods it knows (a few dozen), so this stays small.
  readonly #methods = new Map<string, MethodKeys>();
  #kept = 0;

  /** The key requests to `url` count under: the route the app named for its path, or routeKey's. */
  keyOf(method: string, url: string): string {
    const keys = this.#keysOf(method);
    // Most URLs carry no query: the URL is then the path and a known one costs one lookup, no string.
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    const known = keys.paths.get(path);
    if (known !== undefined) return known;
    const key = routeKey(method, path);
    if (path.length <= ROUTE_KEY_PATH_MAX) this.#keep(keys.paths, path, key);
    return key;
  }

  /**
   * The key of the route the app named `name` (its method and name). `url` counts under it from now
   * on; `keyNow` is the key it counted under so far, which saves the update when it is the same.
   */
  named(method: string, url: string, name: string, keyNow: string | undefined): string {
    const keys = this.#keysOf(method);
    let key = keys.names.get(name);
    if (key === undefined) {
      key = namedRouteKey(method, name);
      this.#keep(keys.names, name, key);
    }
    if (keyNow !== key) {
      const query = url.indexOf("?");
      const path = query === -1 ? url : url.slice(0, query);
      if (path.length <= ROUTE_KEY_PATH_MAX) this.#keep(keys.paths, path, key);
    }
    return key;
  }

  /** Paths and names held now. */
  get size(): number {
    return this.#kept;
  }

  #keysOf(method: string): MethodKeys {
    let keys = this.#methods.get(method);
    if (keys === undefined) {
      keys = { paths: new Map(), names: new Map() };
      this.#methods.set(method, keys);
    }
    return keys;
  }

  // Starting over when full costs one miss per path in use, and needs no order kept per lookup.
  #keep(map: Map<string, string>, from: string, key: string): void {
    if (!map.has(from)) {
      if (this.#kept >= ROUTE_KEYS_KEPT) this.#clear();
      this.#kept++;
    }
    map.set(from, key);
  }

  #clear(): void {
    for (const keys of this.#methods.values()) {
      keys.paths.clear();
      keys.names.clear();
    }
    this.#kept = 0;
  }
}
