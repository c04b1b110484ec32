// The request line a worker's scoreboard record shows. The status page and metrics take an access
// token as `?token=`: the scoreboard, which `drover status` and the status page show, must not repeat
// it to every other viewer (nor an app's own `token`).
export function shownRequestLine(method: string | undefined, url: string): string {
  // Most request lines have no query: one scan for "?" keeps them off the regular expression.
  const shown =
    url.includes("?") && /[?&]token=/i.test(url) ? url.replace(/([?&]token=)[^&#\s]*/gi, "$1***") : url;
  return `${method} ${shown}`;
}
