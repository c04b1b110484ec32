// The table of slow routes: a route's first slow sample is not counted, the average decides after
// that, and a full table forgets the route least recently used, not the one added first.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SLOW_ROUTES_KEPT, SlowRoutes } from "../../../src/child/slow-lane/slow-routes.ts";

describe("SlowRoutes", () => {
  it("does not count a route's first slow sample (a cold start), and counts the second", () => {
    const routes = new SlowRoutes(10);
    assert.equal(routes.record("GET /cold", 3), false);
    assert.equal(routes.holds("GET /cold"), false, "a cheap route is not even remembered");
    assert.equal(routes.record("GET /cold", 40), false, "the first slow sample");
    assert.equal(routes.isSlow("GET /cold"), false);
    assert.equal(routes.slowCount, 0);
    assert.equal(routes.record("GET /cold", 2), false, "a cheap sample leaves it as it was");
    assert.equal(routes.record("GET /cold", 12), true, "the second slow sample makes it slow");
    assert.equal(routes.isSlow("GET /cold"), true);
    assert.equal(routes.averageOf("GET /cold"), 12);
    assert.equal(routes.slowCount, 1);
  });

  it("averages a slow route and lets it go under half the threshold, then takes it back at once", () => {
    const routes = new SlowRoutes(10);
    routes.record("GET /varies", 30);
    routes.record("GET /varies", 30);
    // The average falls by a quarter a request and must go under 5: 30 -> 22.5 -> ... -> 4.0.
    let cheap = 0;
    while (routes.isSlow("GET /varies")) {
      routes.record("GET /varies", 0);
      assert.ok(++cheap <= 7, "still slow after 7 cheap samples");
    }
    assert.equal(cheap, 7);
    assert.equal(routes.slowCount, 0);
    assert.deepEqual(routes.averages(), new Map());
    // It has run before, so it is no cold start: one slow sample brings it back.
    assert.equal(routes.record("GET /varies", 20), true);
    assert.deepEqual(routes.averages(), new Map([["GET /varies", 20]]));
  });

  it(`holds ${SLOW_ROUTES_KEPT} routes and forgets the least recently used one`, () => {
    const routes = new SlowRoutes(10);
    const key = (index: number) =>
      `GET /r${String.fromCharCode(97 + (index % 26), 97 + Math.floor(index / 26))}`;
    for (let index = 0; index < SLOW_ROUTES_KEPT; index++) {
      routes.record(key(index), 20);
      routes.record(key(index), 20);
    }
    assert.equal(routes.slowCount, SLOW_ROUTES_KEPT);
    // The first one added is the one in use; the second is not.
    assert.equal(routes.isSlow(key(0)), true);
    routes.record("GET /newcomer", 20);
    assert.equal(routes.holds(key(0)), true, "the oldest but recently used route is kept");
    assert.equal(routes.holds(key(1)), false, "the least recently used route is forgotten");
    assert.equal(routes.slowCount, SLOW_ROUTES_KEPT - 1, "and no longer counted slow");
    assert.equal(routes.holds("GET /newcomer"), true);
  });
});
