// Ways into a nats-server other than a password, made by hand in a folder: an nkey user (its seed
// file), and operator mode: an operator, an account it signs and a user the account signs, as JWTs
// (ed25519 over nkeys, the NATS format), and the user's credentials file, as `nsc` would write them.
// No library here makes NATS JWTs, and the format is small.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { nkeys } from "@nats-io/transport-node";

type KeyPair = ReturnType<typeof nkeys.createOperator>;

const base64url = (data: Uint8Array | string) => Buffer.from(data).toString("base64url");

function jwt(signer: KeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }));
  const claims = {
    jti: base64url(crypto.getRandomValues(new Uint8Array(16))),
    iat: Math.floor(Date.now() / 1000),
    iss: signer.getPublicKey(),
    sub: subject,
    name,
    nats: { ...nats, version: 2 },
  };
  const body = base64url(JSON.stringify(claims));
  const signature = base64url(signer.sign(new TextEncoder().encode(`${header}.${body}`)));
  return `${header}.${body}.${signature}`;
}

const UNLIMITED = { subs: -1, data: -1, payload: -1 };

/** A server config and the client settings that get in with it. */
export interface WayIn {
  readonly config: string;
  readonly settings: { readonly nkey: string } | { readonly creds: string };
}

/** In `dir`: a user's nkey seed file; returns the config of a server that lets only that user in. */
export function makeNkeyUser(dir: string): WayIn {
  const user = nkeys.createUser();
  const nkey = join(dir, "user.nk");
  writeFileSync(nkey, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
  return { config: `authorization { users: [ { nkey: "${user.getPublicKey()}" } ] }\n`, settings: { nkey } };
}

/** In `dir`: the operator's JWT and a user's credentials file; returns the server config that trusts them. */
export function makeOperatorCredentials(dir: string): WayIn {
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  const user = nkeys.createUser();
  const operatorJwt = join(dir, "operator.jwt");
  writeFileSync(operatorJwt, jwt(operator, operator.getPublicKey(), "drover-test", { type: "operator" }));
  const accountJwt = jwt(operator, account.getPublicKey(), "drover-test", {
    type: "account",
    limits: { ...UNLIMITED, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 },
  });
  const userJwt = jwt(account, user.getPublicKey(), "drover-test", {
    type: "user",
    pub: {},
    sub: {},
    ...UNLIMITED,
  });
  const creds = join(dir, "user.creds");
  const seed = new TextDecoder().decode(user.getSeed());
  writeFileSync(
    creds,
    `-----BEGIN NATS USER JWT-----\n${userJwt}\n------END NATS USER JWT------\n\n` +
      `-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`,
    { mode: 0o600 },
  );
  const config =
    `operator: "${operatorJwt}"\nresolver: MEMORY\n` +
    `resolver_preload: {\n  ${account.getPublicKey()}: "${accountJwt}"\n}\n`;
  return { config, settings: { creds } };
}
