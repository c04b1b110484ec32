// Route keys: what the slow lane counts a request's time under. Ids in the path fold to `*`; a path
// the app named counts under that name; the cache of keys by path stays bounded.
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { routeOf } from "../../../src/child/slow-lane/route-key.ts";
import {
  ROUTE_KEY_PATH_MAX,
  ROUTE_KEYS_KEPT,
  RouteKeyCache,
} from "../../../src/child/slow-lane/route-key-cache.ts";
import { nameRoute, ROUTE_NAME_MAX_LENGTH, routeNameOf } from "../../../src/child/slow-lane/route-name.ts";
import { ErrorCode } from "../../../src/errors.ts";
import { nameRoute as publicNameRoute } from "../../../src/index.ts";
import { throwsCode } from "../../harness/errors.ts";

describe("routeOf", () => {
  it("is the method and the path, without the query, with id-like segments as *", () => {
    assert.equal(routeOf({ method: "GET", url: "/heavy?ms=20" }), "GET /heavy");
    assert.equal(routeOf({ method: "POST", url: "/report/2024/17/pdf" }), "POST /report/*/*/pdf");
    assert.equal(routeOf({ method: "GET", url: "/users/a1b2c3?x=1" }), "GET /users/*");
    assert.equal(routeOf({ method: "GET", url: "/" }), "GET /");
    assert.equal(routeOf({ method: "GET", url: "/day/2026-12-01/" }), "GET /day/*/");
  });

  it("folds UUIDs and long hex runs, even with no digit in them, but not words", () => {
    assert.equal(routeOf({ method: "GET", url: "/o/abcdefab-cdef-abcd-efab-cdefabcdefab/x" }), "GET /o/*/x");
    assert.equal(routeOf({ method: "GET", url: "/o/123e4567-E89B-12d3-a456-426614174000" }), "GET /o/*");
    assert.equal(routeOf({ method: "GET", url: "/blob/deadbeefcafebabe" }), "GET /blob/*");
    assert.equal(routeOf({ method: "GET", url: "/users/alice/feed" }), "GET /users/alice/feed");
    // Short hex-looking words stay: "faced", "decade", "beef".
    assert.equal(routeOf({ method: "GET", url: "/faced/decade/beef" }), "GET /faced/decade/beef");
  });
});

describe("RouteKeyCache", () => {
  it("gives routeOf's key, for the path with or without a query", () => {
    const cache = new RouteKeyCache();
    assert.equal(cache.keyOf("GET", "/report/2024?x=1"), "GET /report/*");
    assert.equal(cache.keyOf("GET", "/report/2024"), "GET /report/*");
    assert.equal(cache.keyOf("POST", "/report/2024"), "POST /report/*");
    assert.equal(cache.size, 2, "one entry per method and path");
  });

  it("keys a path the app named by its name from then on, under that method only", () => {
    const cache = new RouteKeyCache();
    assert.equal(cache.keyOf("GET", "/users/alice"), "GET /users/alice");
    assert.equal(
      cache.named("GET", "/users/alice?tab=2", "/users/:name", "GET /users/alice"),
      "GET /users/:name",
    );
    assert.equal(cache.named("GET", "/users/bob", "/users/:name", undefined), "GET /users/:name");
    assert.equal(cache.keyOf("GET", "/users/alice"), "GET /users/:name");
    assert.equal(cache.keyOf("GET", "/users/bob?x"), "GET /users/:name");
    assert.equal(cache.keyOf("DELETE", "/users/bob"), "DELETE /users/bob");
  });

  it(`holds at most ${ROUTE_KEYS_KEPT} paths and names, and never a path over ${ROUTE_KEY_PATH_MAX} characters`, () => {
    const cache = new RouteKeyCache();
    for (let index = 0; index < ROUTE_KEYS_KEPT * 3; index++) {
      cache.keyOf("GET", `/p/${index}`);
      assert.ok(cache.size <= ROUTE_KEYS_KEPT, `${cache.size} held`);
    }
    const before = cache.size;
    const long = `/${"x".repeat(ROUTE_KEY_PATH_MAX)}`;
    assert.equal(cache.keyOf("GET", long), `GET ${long}`);
    assert.equal(cache.size, before, "a long path is keyed, not kept");
  });
});

describe("nameRoute", () => {
  it("is drover's public API, and names the route a request took", () => {
    assert.equal(publicNameRoute, nameRoute);
    const request = {} as IncomingMessage;
    assert.equal(routeNameOf(request), undefined);
    nameRoute(request, "/users/:name");
    assert.equal(routeNameOf(request), "/users/:name");
  });

  it("refuses anything but a request and a short non-empty name, and names nothing then", () => {
    const request = {} as IncomingMessage;
    for (const name of [undefined, "", 42, { path: "/x" }, "/".repeat(ROUTE_NAME_MAX_LENGTH + 1)]) {
      const error = throwsCode(() => nameRoute(request, name as string), ErrorCode.ROUTE_NAME_INVALID);
      assert.match(error.message, /e\.g\. "\/users\/:id"/);
    }
    throwsCode(() => nameRoute(undefined as unknown as IncomingMessage, "/x"), ErrorCode.ROUTE_NAME_INVALID);
    assert.equal(routeNameOf(request), undefined);
  });
});
