import { describe, expect, it } from 'vitest';
import { chunkedBody, jsonPieces } from './body-stream.js';

async function text(stream: AsyncIterable<Buffer>): Promise<{ body: string; chunks: number }> {
  const buffers: Buffer[] = [];
  for await (const buffer of stream) buffers.push(buffer);
  return { body: Buffer.concat(buffers).toString('utf8'), chunks: buffers.length };
}

describe('jsonPieces and chunkedBody', () => {
  it.each([
    [{ window: { start: 'a' }, step: '1h' }, [], { totals: { x: 1 } }],
    [{ source: 'pod_cost' }, [{ name: 'web', cost: 0.5, labels: { app: null } }, { name: '"quoted"\u2028', cost: 1e-12 }], {}],
    [{}, [1, 2, 3], {}],
  ])('renders the same JSON as JSON.stringify: %j', async (head, rows, tail) => {
    const { body } = await text(chunkedBody(jsonPieces(head, 'rows', rows, tail)));
    expect(body).toBe(JSON.stringify({ ...head, rows, ...tail }));
  });

  it('writes a large answer as many bounded chunks, pulling rows only as they are needed', async () => {
    let pulled = 0;
    function* rows() {
      for (let i = 0; i < 20_000; i++) {
        pulled++;
        yield { name: `row-${i}`, totalCostUsd: i / 7 };
      }
    }
    const stream = chunkedBody(jsonPieces({ source: 's' }, 'rows', rows()));
    const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await iterator.next();
    expect((first.value as Buffer).length).toBeLessThan(80 * 1024);
    expect(pulled).toBeLessThan(20_000);
    const rest: Buffer[] = [first.value as Buffer];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value);
    expect(rest.length).toBeGreaterThan(5);
    expect((JSON.parse(Buffer.concat(rest).toString('utf8')) as { rows: unknown[] }).rows).toHaveLength(20_000);
  });
});
