import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A test CA and a way to issue server certificates for 127.0.0.1 from it, made with the openssl binary. */
export interface TestPki {
  readonly dir: string;
  readonly caFile: string;
  /** Issues a certificate for IP 127.0.0.1 and localhost into `<name>.crt` and `<name>.key` (overwriting them); returns the paths and its SHA-256 fingerprint as Node prints it (AB:CD:…). */
  issue(name: string): Promise<{ certFile: string; keyFile: string; fingerprint256: string }>;
  remove(): void;
}

export async function createTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'kcost-pki-'));
  const caFile = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=kcost test CA', '-keyout', caKey, '-out', caFile]);
  const extFile = join(dir, 'server.ext');
  writeFileSync(extFile, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  return {
    dir,
    caFile,
    async issue(name) {
      const certFile = join(dir, `${name}.crt`);
      const keyFile = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      // Written next to the target first and renamed over it, as a secret update swaps files: never half a file.
      await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${keyFile}.new`, '-out', csr]);
      await run('openssl', ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-set_serial', `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`, '-days', '2', '-extfile', extFile, '-out', `${certFile}.new`]);
      const { stdout } = await run('openssl', ['x509', '-in', `${certFile}.new`, '-noout', '-fingerprint', '-sha256']);
      writeFileSync(keyFile, readFileSync(`${keyFile}.new`));
      writeFileSync(certFile, readFileSync(`${certFile}.new`));
      return { certFile, keyFile, fingerprint256: stdout.trim().replace(/^.*Fingerprint=/i, '').toUpperCase() };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The SHA-256 fingerprint of the certificate a fresh TLS connection to 127.0.0.1:`port` is given. */
export function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.once('error', reject);
  });
}
