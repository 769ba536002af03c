import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KcostError } from '../errors/kcost-error.js';
import type { Logger } from '../log/logger.js';
import { readScrapeCredentials, scrapeAuthorizer, type ScrapeAuthorizer } from './scrape-auth.js';
import { readTlsFiles, reloadOnChange, tlsFilesOf, type TlsFiles } from './tls-files.js';

/** How a role's HTTP port is served: TLS files (reloaded on change) and who may read /metrics. */
export interface ServingSecurity {
  readonly tls?: TlsFiles;
  readonly authorize?: ScrapeAuthorizer;
  /** Where certificate reloads are logged. */
  readonly logger?: Logger;
}

/** The serving security of the settings every role shares (processSettings): TLS files and /metrics credentials. */
export function servingSecurityOf(
  config: { tlsCertFile: string; tlsKeyFile: string; metricsTokenFile: string; metricsBasicAuthFile: string },
  logger: Logger,
): ServingSecurity {
  const tls = tlsFilesOf(config);
  const authorize = scrapeAuthorizer(readScrapeCredentials(config.metricsTokenFile, config.metricsBasicAuthFile));
  return { ...(tls ? { tls } : {}), ...(authorize ? { authorize } : {}), logger };
}

export interface Listening {
  readonly server: Server | HttpsServer;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens with the handler over HTTP, or HTTPS when TLS files are given (read
 * now, so a missing file stops the role at start, and reloaded when they change).
 */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, options: { port: number; host?: string; security?: ServingSecurity }): Promise<Listening> {
  const tls = options.security?.tls;
  const secure = tls ? createHttpsServer(readTlsFiles(tls), handler) : undefined;
  const server = secure ?? createHttpServer(handler);
  let stopWatching = () => {};
  if (secure && tls) {
    const logger = options.security?.logger;
    if (!logger) throw new KcostError('INVALID_CONFIG', 'a TLS listener needs a logger for its certificate reloads');
    stopWatching = reloadOnChange(secure, tls, logger);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        stopWatching();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/**
 * Answers a /metrics request without valid credentials with 401, naming the
 * schemes accepted; true when it did (the handler stops there).
 */
export function refusedScrape(authorize: ScrapeAuthorizer | undefined, req: IncomingMessage, res: ServerResponse): boolean {
  if (!authorize || authorize.allows(req.headers.authorization)) return false;
  res.writeHead(401, { 'www-authenticate': authorize.challenge, 'content-type': 'application/json' }).end('{"error":"a valid bearer token or basic credentials are required"}');
  return true;
}
