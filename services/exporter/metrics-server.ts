import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { EXPOSITION_CONTENT_TYPE } from './exposition.js';

export interface MetricsServerOptions {
  readonly port: number;
  readonly host?: string;
  /** The kube_cost_* series, as buffers to write in order (see CostStore.renderChunks). */
  readonly renderSeries: () => readonly Uint8Array[];
  /** The process's own metrics, appended after the series. */
  readonly registry: Registry;
  readonly isReady: () => boolean;
  /** When set, /metrics answers 401 unless the request carries `Authorization: Bearer <token>`. */
  readonly token?: string;
}

export interface MetricsServer {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The exporter's one HTTP port: /metrics (the kube_cost_* series followed by
 * the process's own metrics), /healthz and /readyz. Probes need no token, so
 * kubelet probes work with auth on. Plain node:http: a scrape is one string
 * write, and a framework's routing and serialization would only add to it.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const expected = options.token ? digest(`Bearer ${options.token}`) : undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end('{"error":"method not allowed"}');
    } else if (path === '/metrics') {
      if (expected && !authorized(req, expected)) {
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="kcost"', 'content-type': 'application/json' }).end('{"error":"a valid bearer token is required"}');
        return;
      }
      serveMetrics(options, res);
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      const ready = options.isReady();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'catching up' }));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    }
  });
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
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function serveMetrics(options: MetricsServerOptions, res: ServerResponse): void {
  let series: readonly Uint8Array[];
  try {
    series = options.renderSeries();
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`rendering failed: ${String(error)}`);
    return;
  }
  options.registry.metrics().then(
    (own) => {
      res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE });
      // The cached chunks go out as they are: no copy of a body that can be megabytes.
      res.cork();
      for (const chunk of series) res.write(chunk);
      res.end(own);
      res.uncork();
    },
    (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`rendering failed: ${String(error)}`),
  );
}

function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const given = req.headers.authorization;
  // Comparing digests keeps the comparison constant-time whatever the length of what was sent.
  return given !== undefined && timingSafeEqual(digest(given), expected);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
