// A service's NATS transport in the config: its defaults (subject and queue from the name) and every
// refusal, named down to the field.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkConfig } from "../../src/config/index.ts";
import { problemsOf, withDir, write } from "./support.ts";

const MATH = { name: "math", module: "math.js" };

function resolve(service: Record<string, unknown>) {
  return withDir((dir) => {
    write(dir, "math.js", "export default {};\n");
    return checkConfig({ services: [{ ...MATH, ...service }] }, { baseDir: dir });
  });
}

function refused(transport: unknown) {
  return withDir((dir) => {
    write(dir, "math.js", "export default {};\n");
    return problemsOf(() => checkConfig({ services: [{ ...MATH, transport }] } as never, { baseDir: dir }));
  });
}

describe("a service's NATS transport", () => {
  it("takes its subject and queue group from the service's name, and servers as one or a list", async () => {
    const one = await resolve({ transport: { nats: { servers: "127.0.0.1:4222" } } });
    assert.deepEqual(one.config.services[0]?.nats, {
      servers: ["127.0.0.1:4222"],
      subject: "drover.math",
      queue: "drover.math",
      delivery: "at-most-once",
      handOff: true,
    });
    const named = await resolve({
      name: "billing.v2",
      delivery: "at-least-once",
      transport: {
        nats: {
          servers: ["nats://a:4222", "nats://b:4222"],
          subject: "acme.billing",
          queue: "billers",
          handOff: false,
          token: "s3cret",
        },
      },
    });
    assert.deepEqual(named.config.services[0]?.nats, {
      servers: ["nats://a:4222", "nats://b:4222"],
      subject: "acme.billing",
      queue: "billers",
      delivery: "at-least-once",
      handOff: false,
      token: "s3cret",
    });
    const dotted = await resolve({ name: "billing.v2", transport: { nats: { servers: "h:1" } } });
    assert.equal(
      dotted.config.services[0]?.nats?.subject,
      "drover.billing_v2",
      "a name's dots do not make subject tokens",
    );
    const none = await resolve({});
    assert.equal(none.config.services[0]?.nats, undefined, "without a transport: the master's socket alone");
  });

  it("refuses what is not a transport, naming the field and the reason", async () => {
    const at = "services[0].transport";
    assert.deepEqual(await refused("nats"), [
      `${at}: must be { nats: { servers: "127.0.0.1:4222" } } (or left out for the master's own socket alone), got "nats" (string)`,
    ]);
    const [noServers] = await refused({ nats: {} });
    assert.match(noServers ?? "", /^services\[0\]\.transport\.nats\.servers: is required/);
    const [badServer] = await refused({ nats: { servers: ["ok:4222", "not a server"] } });
    assert.match(badServer ?? "", /servers: lists "not a server" \(string\), which is not a server address/);
    const [wildcard] = await refused({ nats: { servers: "h:1", subject: "acme.*" } });
    assert.match(wildcard ?? "", /transport\.nats\.subject: must be a NATS subject .* got "acme\.\*"/);
    const [reserved] = await refused({ nats: { servers: "h:1", queue: "_DROVER.q" } });
    assert.match(reserved ?? "", /transport\.nats\.queue: .*not under _DROVER/);
    assert.deepEqual(await refused({ nats: { servers: "h:1", queu: "x" } }), [
      `${at}.nats.queu: is not a NATS setting: did you mean "queue"?`,
    ]);
    const refusedDelivery = (service: Record<string, unknown>) =>
      withDir((dir) => {
        write(dir, "math.js", "export default {};\n");
        return problemsOf(() =>
          checkConfig({ services: [{ ...MATH, ...service }] } as never, { baseDir: dir }),
        );
      });
    assert.deepEqual(
      await refusedDelivery({ delivery: "exactly-once", transport: { nats: { servers: "h:1" } } }),
      [
        'services[0].delivery: must be "at-most-once" (the default) or "at-least-once", got "exactly-once" (string)',
      ],
    );
    const [needsNats] = await refusedDelivery({ delivery: "at-least-once" });
    assert.match(
      needsNats ?? "",
      /^services\[0\]\.delivery: is "at-least-once", which goes through a NATS JetStream stream/,
    );
    assert.deepEqual(await refused({ nats: { servers: "h:1", handOff: "no" } }), [
      `${at}.nats.handOff: must be true or false, got "no" (string)`,
    ]);
    const [emptyToken] = await refused({ nats: { servers: "h:1", token: "" } });
    assert.match(emptyToken ?? "", /transport\.nats\.token: must be a non-empty string/);
    assert.deepEqual(await refused({ nats: { servers: "h:1", user: "u" } }), [
      `${at}.nats.pass: is required with user: give both, or another way in`,
    ]);
    const [notAList] = await refused({ nats: { servers: 4222 } });
    assert.match(notAList ?? "", /servers: must be a server or a list of them: .* got 4222/);
  });

  it("takes credentials and TLS files from the config's folder, checked readable, one way in at most", async () => {
    const files = await withDir(async (dir) => {
      write(dir, "math.js", "export default {};\n");
      for (const name of ["user.nk", "ca.pem", "client.pem", "client.key"]) write(dir, name, "x\n");
      const tls = { ca: "./ca.pem", cert: "client.pem", key: "client.key" };
      const config = checkConfig(
        { services: [{ ...MATH, transport: { nats: { servers: "h:1", nkey: "./user.nk", tls } } }] },
        { baseDir: dir },
      );
      return { dir, nats: config.config.services[0]?.nats };
    });
    assert.equal(files.nats?.nkey, `${files.dir}/user.nk`);
    assert.deepEqual(files.nats?.tls, {
      caFile: `${files.dir}/ca.pem`,
      certFile: `${files.dir}/client.pem`,
      keyFile: `${files.dir}/client.key`,
    });
    assert.deepEqual(
      (await resolve({ transport: { nats: { servers: "h:1", tls: true } } })).config.services[0]?.nats?.tls,
      {},
    );
    const at = "services[0].transport.nats";
    const [missing] = await refused({ nats: { servers: "h:1", creds: "./none.creds" } });
    assert.match(
      missing ?? "",
      /^services\[0\]\.transport\.nats\.creds: cannot be read \(ENOENT\): \/.*none\.creds$/,
    );
    assert.deepEqual(
      await refused({ nats: { servers: "h:1", tls: { ca: "./math.js", cert: "./math.js" } } }),
      [
        `${at}.tls.key: is required with the other: a client certificate needs its key, and the key its certificate`,
      ],
    );
    assert.deepEqual(await refused({ nats: { servers: "h:1", tls: { ca: "./math.js", crt: "x" } } }), [
      `${at}.tls.crt: is not a TLS setting: the settings are ca, cert, key`,
    ]);
    const [notTls] = await refused({ nats: { servers: "h:1", tls: "yes" } });
    assert.match(notTls ?? "", /tls: must be true \(TLS, the system's CAs\) or \{ ca, cert, key \}/);
    assert.deepEqual(await refused({ nats: { servers: "h:1", token: "t", nkey: "./math.js" } }), [
      `${at}: gives more than one way in (user and pass, token, creds, nkey): give one`,
    ]);
  });

  it("refuses server addresses without a host or with a port out of range", async () => {
    for (const server of ["x::", "x:", ":4222", "127.0.0.1:99999", "127.0.0.1:0", "127.0.0.1:-1"]) {
      const [problem] = await refused({ nats: { servers: server } });
      assert.match(problem ?? "", /servers: lists .* which is not a server address/, server);
    }
    for (const server of ["h", "127.0.0.1:4222", "nats://a:65535", "tls://user:pass@h:1", "[::1]:4222"]) {
      const accepted = await resolve({ transport: { nats: { servers: server } } });
      assert.deepEqual(accepted.config.services[0]?.nats?.servers, [server]);
    }
  });

  it("reports a bad subject once, not again as the queue that defaults to it", async () => {
    const problems = await refused({ nats: { servers: "h:1", subject: "a..b" } });
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0] ?? "", /transport\.nats\.subject: must be a NATS subject/);
  });

  it("refuses two services whose subjects are one, or one inside the other", async () => {
    const nats = { servers: "h:1" };
    const overlap = (services: Record<string, unknown>[]) =>
      withDir((dir) => {
        write(dir, "math.js", "export default {};\n");
        return problemsOf(() =>
          checkConfig(
            { services: services.map((s) => ({ module: "math.js", transport: { nats }, ...s })) } as never,
            {
              baseDir: dir,
            },
          ),
        );
      });
    // "a:b" and "a_b" both become the subject drover.a_b.
    assert.deepEqual(await overlap([{ name: "a:b" }, { name: "a_b" }]), [
      'services[1].transport.nats.subject: is "drover.a_b", which is the NATS subject of services[0] ("drover.a_b"): the two would take each other\'s calls; give one a subject of its own',
    ]);
    const [inside] = await overlap([
      { name: "x", transport: { nats: { ...nats, subject: "acme.x.y" } } },
      { name: "y", transport: { nats: { ...nats, subject: "acme.x" } } },
    ]);
    assert.match(
      inside ?? "",
      /^services\[1\]\.transport\.nats\.subject: is "acme\.x", which overlaps the NATS subject of services\[0\]/,
    );
    const apart = await withDir((dir) => {
      write(dir, "math.js", "export default {};\n");
      const services = [
        { name: "x", transport: { nats: { ...nats, subject: "acme.x" } } },
        { name: "y", transport: { nats: { ...nats, subject: "acme.xy" } } },
        { name: "z", transport: { nats } },
      ];
      return checkConfig({ services: services.map((s) => ({ module: "math.js", ...s })) }, { baseDir: dir });
    });
    assert.equal(
      apart.config.services.length,
      3,
      "subjects that share characters but no whole token do not overlap",
    );
  });
});
