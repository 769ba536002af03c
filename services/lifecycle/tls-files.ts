import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { SecureContextOptions, Server as TlsServer } from 'node:tls';
import { KcostError, messageOf } from '../errors/kcost-error.js';
import type { Logger } from '../log/logger.js';

/** A certificate (chain) and its private key, PEM files, e.g. a mounted kubernetes.io/tls secret or cert-manager's. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** The TLS files of --tls-cert-file and --tls-key-file: both or neither. */
export function tlsFilesOf(config: { tlsCertFile: string; tlsKeyFile: string }): TlsFiles | undefined {
  if (config.tlsCertFile === '' && config.tlsKeyFile === '') return undefined;
  if (config.tlsCertFile === '' || config.tlsKeyFile === '') throw new KcostError('INVALID_CONFIG', 'give --tls-cert-file and --tls-key-file together');
  return { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile };
}

/** Reads the pair; a file that cannot be read is an INVALID_CONFIG naming it. */
export function readTlsFiles(files: TlsFiles): Required<Pick<SecureContextOptions, 'cert' | 'key'>> {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new KcostError('INVALID_CONFIG', `cannot read the TLS ${what} ${path}: ${messageOf(error)}`);
    }
  };
  return { cert: read(files.certFile, 'certificate'), key: read(files.keyFile, 'key') };
}

/**
 * Serves a renewed certificate without a restart: polls both files' status
 * (a Kubernetes secret update swaps a symlink, which inotify on the old file
 * would miss) and, when either changed, reads the pair again and hands it to
 * setSecureContext; connections opened after that get the new certificate.
 * A pair that does not load (one file written, the other not yet) is logged
 * and the old one kept until the next change. Returns a function that stops
 * watching.
 */
export function reloadOnChange(server: TlsServer, files: TlsFiles, logger: Logger, pollMillis = 2000): () => void {
  const reload = () => {
    try {
      server.setSecureContext(readTlsFiles(files));
      logger.info({ certFile: files.certFile }, 'TLS certificate reloaded');
    } catch (error) {
      logger.warn({ err: error, certFile: files.certFile, keyFile: files.keyFile }, 'the changed TLS files do not load; still serving the previous certificate');
    }
  };
  const onChange = (current: { mtimeMs: number; ino: number; size: number }, previous: { mtimeMs: number; ino: number; size: number }) => {
    if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino || current.size !== previous.size) reload();
  };
  for (const path of [files.certFile, files.keyFile]) watchFile(path, { interval: pollMillis, persistent: false }, onChange);
  return () => {
    for (const path of [files.certFile, files.keyFile]) unwatchFile(path, onChange);
  };
}
