import { describe, expect, it } from 'vitest';
import { KcostError } from '../errors/kcost-error.js';
import { currentSchemas, type SchemaName, type UsageSample } from './records.generated.js';
import { parseSchema, SchemaCatalog } from './schema-catalog.js';
import { SingleObjectCodec } from './single-object-codec.js';

const catalog = new SchemaCatalog();
const codec = new SingleObjectCodec(catalog);

const sample: UsageSample = {
  cluster: 'prod-eu',
  namespace: 'shop',
  podUid: '6d1b6c1e-0001',
  podName: 'cart-7d9f',
  container: 'app',
  nodeName: 'ip-10-0-1-12',
  windowStart: Date.UTC(2026, 10, 1, 12, 0),
  windowSeconds: 60,
  cpuCoreSeconds: 12.5,
  memoryWorkingSetAvgBytes: 268_435_456,
  memoryWorkingSetMaxBytes: 301_989_888,
  networkRxBytes: null,
  networkTxBytes: 1024,
  gap: false,
  source: 'metrics-api',
};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  return error instanceof KcostError ? error.code : `not a KcostError: ${String(error)}`;
}

describe('SingleObjectCodec', () => {
  it.each(Object.keys(currentSchemas) as SchemaName[])('round-trips random %s records', async (name) => {
    const type = parseSchema(currentSchemas[name]);
    for (let i = 0; i < 10; i++) {
      const value = type.random() as never;
      const bytes = await codec.encode(name, value);
      expect(await codec.decode(bytes)).toEqual({ schema: name, value });
    }
  });

  it('frames as the Avro spec says: C3 01, the 8-byte fingerprint, then the body', async () => {
    const bytes = await codec.encode('UsageSample', sample);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(bytes.subarray(2, 10).toString('hex')).toBe(catalog.writer('UsageSample').fingerprintHex);
    expect(catalog.writer('UsageSample').type.fromBuffer(bytes.subarray(10))).toEqual(sample);
  });

  it('encodes a record larger than its scratch buffer whole, and the records encoded before and after it unchanged', async () => {
    const before = await codec.encode('UsageSample', sample);
    const copyOfBefore = Buffer.from(before);
    const large = { ...sample, podName: 'p'.repeat(20_000) };
    const bytes = await codec.encode('UsageSample', large);
    const after = await codec.encode('UsageSample', { ...sample, container: 'sidecar' });
    expect(await codec.decode(bytes)).toEqual({ schema: 'UsageSample', value: large });
    expect(before).toEqual(copyOfBefore);
    expect(await codec.decode(after)).toEqual({ schema: 'UsageSample', value: { ...sample, container: 'sidecar' } });
  });

  it('rejects bytes without the marker as UNDECODABLE', async () => {
    expect(await codeOf(codec.decode(Buffer.from('{"not":"avro"}')))).toBe('UNDECODABLE');
    expect(await codeOf(codec.decode(Buffer.alloc(0)))).toBe('UNDECODABLE');
  });

  it('rejects an unknown fingerprint as UNKNOWN_SCHEMA', async () => {
    const bytes = Buffer.from(await codec.encode('UsageSample', sample));
    bytes.writeBigUInt64LE(42n, 2);
    expect(await codeOf(codec.decode(bytes))).toBe('UNKNOWN_SCHEMA');
  });

  it('rejects a truncated body as UNDECODABLE', async () => {
    const bytes = await codec.encode('UsageSample', sample);
    expect(await codeOf(codec.decode(bytes.subarray(0, 20)))).toBe('UNDECODABLE');
  });

  it('refuses to encode a record that does not match its schema, naming the field', async () => {
    const bad = { ...sample, cpuCoreSeconds: 'lots' } as unknown as UsageSample;
    await expect(codec.encode('UsageSample', bad)).rejects.toThrow(/cpuCoreSeconds/);
  });

  it('decodeAs rejects a record of another schema as UNEXPECTED_SCHEMA', async () => {
    const bytes = await codec.encode('UsageSample', sample);
    expect(await codeOf(codec.decodeAs('PodCost', bytes))).toBe('UNEXPECTED_SCHEMA');
  });

  it('reads a record written with an older released version into the current shape', async () => {
    const base = currentSchemas.UsageSample as { fields: Array<{ name: string }> };
    const older = { ...base, fields: base.fields.filter((f) => f.name !== 'source' && f.name !== 'gap') };
    const oldCatalog = new SchemaCatalog({ UsageSample: older }, {});
    const { source: _s, gap: _g, ...oldRecord } = sample;
    const bytes = new SingleObjectCodec(oldCatalog).encodeSync('UsageSample', oldRecord as UsageSample);
    const reader = new SingleObjectCodec(new SchemaCatalog(currentSchemas, { UsageSample: [older] }));
    expect(reader.decodeSync(bytes)).toEqual({ schema: 'UsageSample', value: { ...sample, source: '', gap: false } });
  });
});
