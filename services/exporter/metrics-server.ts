import type { ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { listen, refusedScrape, type Listening, type ServingSecurity } from '../lifecycle/http-listener.js';
import { EXPOSITION_CONTENT_TYPE } from './exposition.js';

export interface MetricsServerOptions {
  readonly port: number;
  readonly host?: string;
  /** The kube_cost_* series, as buffers to write in order (see CostStore.renderChunks). */
  readonly renderSeries: () => readonly Uint8Array[];
  /** The process's own metrics, appended after the series. */
  readonly registry: Registry;
  readonly isReady: () => boolean;
  /** TLS files, and the credentials /metrics requires (a bearer token and/or basic auth); absent: plain HTTP, open. */
  readonly security?: ServingSecurity;
}

export type MetricsServer = Listening;

/**
 * The exporter's one HTTP port: /metrics (the kube_cost_* series followed by
 * the process's own metrics), /healthz and /readyz. Probes need no token, so
 * kubelet probes work with auth on. Plain node:http (or https): a scrape is
 * one string write, and a framework's routing and serialization would only
 * add to it.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const authorize = options.security?.authorize;
  return listen(
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end('{"error":"method not allowed"}');
      } else if (path === '/metrics') {
        if (refusedScrape(authorize, req, res)) return;
        serveMetrics(options, res);
      } else if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } else if (path === '/readyz') {
        const ready = options.isReady();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'catching up' }));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      }
    },
    { port: options.port, ...(options.host === undefined ? {} : { host: options.host }), ...(options.security ? { security: options.security } : {}) },
  );
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
