// Matching a request to a built-in module's page: its path exactly, with any query.

/** The query of a request's `url` ("" if none) when its path is exactly `path`; else undefined. */
export function queryIfPath(url: string, path: string): string | undefined {
  if (url.startsWith("/")) {
    // The common case, on every request the app serves: a prefix test, no parsing.
    if (!url.startsWith(path)) return undefined;
    if (url.length === path.length) return "";
    return url[path.length] === "?" ? url.slice(path.length + 1) : undefined;
  }
  // The absolute form a proxy may send: "http://host/server-status?auto".
  const parsed = URL.parse(url);
  return parsed !== null && parsed.pathname === path ? parsed.search.slice(1) : undefined;
}
