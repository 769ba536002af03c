import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A stand-in for the Kubernetes API server (none runs here) that speaks its
// wire format: list responses as JSON documents, watches as chunked streams of
// one compact JSON event per line, which end cleanly, break mid-line, or stay
// open. Each list or watch request takes the next scripted response for its
// path, so a test scripts a whole list → watch → break → 410 → relist story.

/** How a scripted watch response ends. */
export type WatchEnd = 'close' | 'break' | 'hold';

export interface WatchScript {
  readonly events: readonly unknown[];
  readonly end: WatchEnd;
}

export interface PathScript {
  /** List responses in order; the last one repeats. */
  readonly lists?: readonly unknown[];
  /** Watch responses in order; once used up, watches stay open with no events. */
  readonly watches?: readonly WatchScript[];
  /** Plain GET responses (metrics API, node proxy) in order; the last repeats. A number answers with that status. */
  readonly gets?: ReadonlyArray<unknown>;
}

export interface FakeKubeApi {
  readonly url: string;
  /** Every request as path?query, in arrival order. */
  readonly requests: string[];
  /** Writes a kubeconfig that points at this server with a bearer token; returns its path. */
  writeKubeconfig(): string;
  close(): Promise<void>;
}

const TOKEN = 'kcost-test-token';

/** A fixture file of test/fixtures/kube, parsed. */
export function kubeFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/kube/${name}`, import.meta.url), 'utf8')) as T;
}

/** The events of test/fixtures/kube/k8s-watch-pods.jsonl, parsed. */
export function watchFixture(): Array<{ type: string; object: Record<string, unknown> }> {
  return readFileSync(new URL('../fixtures/kube/k8s-watch-pods.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; object: Record<string, unknown> });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function status(code: number, reason: string, message: string): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** Starts the fake API server on a free port. */
export async function startFakeKubeApi(script: Readonly<Record<string, PathScript>>): Promise<FakeKubeApi> {
  const requests: string[] = [];
  const used = new Map<string, { lists: number; watches: number; gets: number }>();
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    const path = script[url.pathname];
    if (!path) return json(res, 404, status(404, 'NotFound', `the server could not find ${url.pathname}`));
    const count = used.get(url.pathname) ?? { lists: 0, watches: 0, gets: 0 };
    used.set(url.pathname, count);
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
      const watch = path.watches?.[count.watches++] ?? { events: [], end: 'hold' };
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      // The API server sends the headers at once, before any event.
      res.flushHeaders();
      for (const event of watch.events) res.write(`${JSON.stringify(event)}\n`);
      if (watch.end === 'close') res.end();
      // Half an event, then the connection drops: what a load balancer timeout or an apiserver restart looks like.
      else if (watch.end === 'break') res.write('{"type":"MODIFIED","object":{"kind":"Pod","metad', () => res.socket?.destroy());
      return;
    }
    const responses = path.lists ?? path.gets;
    if (!responses || responses.length === 0) return json(res, 405, status(405, 'MethodNotAllowed', 'no list scripted'));
    const index = path.lists ? count.lists++ : count.gets++;
    const body = responses[Math.min(index, responses.length - 1)];
    if (typeof body === 'number') return json(res, body, status(body, 'InternalError', `scripted failure ${body}`));
    json(res, 200, body);
  };
  const server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    writeKubeconfig() {
      const file = join(mkdtempSync(join(tmpdir(), 'kcost-kubeconfig-')), 'config');
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          `- name: fake\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true`,
          'users:',
          `- name: reader\n  user:\n    token: ${TOKEN}`,
          'contexts:',
          '- name: fake\n  context:\n    cluster: fake\n    user: reader',
          'current-context: fake',
          '',
        ].join('\n'),
      );
      return file;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A list document in the wire format, e.g. list('PodList', '2575', items). */
export function list(kind: string, resourceVersion: string, items: readonly unknown[]): unknown {
  return { kind, apiVersion: 'v1', metadata: { resourceVersion }, items };
}

/** The ERROR event a watch sends when its resourceVersion is too old. */
export function goneEvent(): unknown {
  return { type: 'ERROR', object: kubeFixture('k8s-watch-410-gone.json') };
}
