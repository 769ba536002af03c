import type { Registry } from 'prom-client';
import { listen, refusedScrape, type Listening, type ServingSecurity } from './http-listener.js';

export interface HealthServerOptions {
  readonly port: number;
  readonly host?: string;
  /** Whether the role is ready to do its work (connected, caught up). */
  readonly isReady: () => boolean;
  readonly registry: Registry;
  /** TLS files and /metrics credentials (servingSecurityOf); absent: plain HTTP, /metrics open. */
  readonly security?: ServingSecurity;
}

/**
 * The small HTTP server every long-running role exposes: /healthz answers
 * while the process lives, /readyz once the role is ready, /metrics with its
 * Prometheus metrics. With credentials configured only /metrics asks for
 * them: kubelet probes carry none.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<Listening> {
  const authorize = options.security?.authorize;
  return listen(
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } else if (path === '/readyz') {
        const ready = options.isReady();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'starting' }));
      } else if (path === '/metrics') {
        if (refusedScrape(authorize, req, res)) return;
        options.registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
          (error: unknown) => res.writeHead(500).end(String(error)),
        );
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      }
    },
    { port: options.port, ...(options.host === undefined ? {} : { host: options.host }), ...(options.security ? { security: options.security } : {}) },
  );
}
