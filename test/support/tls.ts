// A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost (nats.js checks a
// loopback server under that name), made with openssl in a temp folder, for a nats-server that speaks
// TLS only.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir, type TempDir } from "../harness/temp.ts";

export interface TestCertificates {
  readonly dir: TempDir;
  /** The CA's certificate: what a client trusts. */
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export function makeCertificates(): TestCertificates {
  const dir = makeTempDir("drover-test-tls-");
  const at = (name: string) => join(dir.path, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  try {
    openssl(
      "req",
      "-x509",
      ...EC_KEY,
      "-keyout",
      at("ca.key"),
      "-out",
      at("ca.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=drover test CA",
    );
    openssl(
      "req",
      ...EC_KEY,
      "-keyout",
      at("server.key"),
      "-out",
      at("server.csr"),
      "-subj",
      "/CN=localhost",
    );
    writeFileSync(at("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl(
      "x509",
      "-req",
      "-in",
      at("server.csr"),
      "-CA",
      at("ca.pem"),
      "-CAkey",
      at("ca.key"),
      "-CAcreateserial",
      "-out",
      at("server.pem"),
      "-days",
      "1",
      "-extfile",
      at("san.ext"),
    );
  } catch (error) {
    dir.remove();
    throw error;
  }
  return { dir, ca: at("ca.pem"), serverCert: at("server.pem"), serverKey: at("server.key") };
}
