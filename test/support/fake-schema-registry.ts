import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Confluent Schema Registry stand-in that speaks its REST wire format for
 * the calls a producer and consumer make (register a subject version, read
 * and set a subject's compatibility, fetch a schema by id). The real registry
 * is not published to the registries this machine reaches.
 */
export async function startFakeSchemaRegistry(): Promise<{ url: string; schemaCount(): number; close(): Promise<void> }> {
  const schemas: string[] = [];
  const compatibility = new Map<string, string>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const send = (status: number, payload: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(JSON.stringify(payload));
      };
      const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
      let match: RegExpExecArray | null;
      if ((match = /^\/config\/(.+)$/.exec(path))) {
        const subject = match[1] ?? '';
        if (req.method === 'PUT') {
          compatibility.set(subject, (JSON.parse(body) as { compatibility: string }).compatibility);
          return send(200, { compatibility: compatibility.get(subject) });
        }
        const level = compatibility.get(subject);
        return level ? send(200, { compatibilityLevel: level }) : send(404, { error_code: 40401, message: 'Subject not found.' });
      }
      if (req.method === 'POST' && /^\/subjects\/.+\/versions$/.test(path)) {
        const schema = (JSON.parse(body) as { schema: string }).schema;
        let id = schemas.indexOf(schema) + 1;
        if (id === 0) id = schemas.push(schema);
        return send(200, { id });
      }
      if ((match = /^\/schemas\/ids\/(\d+)$/.exec(path))) {
        const schema = schemas[Number(match[1]) - 1];
        return schema ? send(200, { schema }) : send(404, { error_code: 40403, message: 'Schema not found' });
      }
      return send(404, { error_code: 404, message: `no route for ${req.method ?? ''} ${path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    schemaCount: () => schemas.length,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
