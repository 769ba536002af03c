import type avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { currentSchemas, releasedSchemas, type SchemaName } from './records.generated.js';
import { parseSchema } from './schema-catalog.js';

interface FieldSchema {
  name: string;
  type: unknown;
  default?: unknown;
}
interface RecordSchema {
  type: 'record';
  name: string;
  fields: FieldSchema[];
}

const names = Object.keys(currentSchemas) as SchemaName[];

/**
 * The oldest schema a current one could have evolved from under the rules
 * (fields are only ever added with a default): the current schema with every
 * defaulted top-level field removed.
 */
function minimalAncestor(schema: RecordSchema): RecordSchema {
  return { ...schema, fields: schema.fields.filter((f) => !('default' in f)) };
}

/** Reads `value` written with `writer` through `reader`, as a consumer on a newer version would. */
function readAcross(writer: avro.Type, reader: avro.Type, value: unknown): unknown {
  return reader.fromBuffer(writer.toBuffer(value), reader.createResolver(writer));
}

describe.each(names)('%s schema evolution', (name) => {
  const current = parseSchema(currentSchemas[name]);
  const released = releasedSchemas[name] ?? [];

  it('has at least one released version, frozen in schemas/released/', () => {
    expect(released.length).toBeGreaterThan(0);
  });

  it.each(released.map((schema, i) => [`v${i + 1}`, schema] as const))(
    'reads records written with released %s (backward) and they read the current records (forward)',
    (_version, schema) => {
      const old = parseSchema(schema);
      for (let i = 0; i < 20; i++) {
        const written = old.random();
        const read = readAcross(old, current, written) as Record<string, unknown>;
        // Every field the old schema has survives, nested ones too (fields added inside a nested record come with their defaults).
        expect(old.toBuffer(read)).toEqual(old.toBuffer(written));
        const newer = current.random();
        expect(() => readAcross(current, old, newer)).not.toThrow();
      }
    },
  );

  it('reads records of its minimal ancestor, filling every added field with its default', () => {
    const schema = currentSchemas[name] as RecordSchema;
    const ancestor = parseSchema(minimalAncestor(schema));
    const read = readAcross(ancestor, current, ancestor.random()) as Record<string, unknown>;
    for (const field of schema.fields.filter((f) => 'default' in f)) {
      expect(read[field.name], field.name).toEqual(field.default);
    }
  });
});

describe('evolution rules are enforced by Avro resolution', () => {
  const base = currentSchemas.UsageSample as RecordSchema;

  it('rejects a new field without a default: old records could not be read', () => {
    const broken = { ...base, fields: [...base.fields, { name: 'gpuSeconds', type: 'double' }] };
    expect(() => parseSchema(broken).createResolver(parseSchema(base))).toThrow(/gpuSeconds/);
  });

  it('rejects a changed field type', () => {
    const broken = { ...base, fields: base.fields.map((f) => (f.name === 'podUid' ? { ...f, type: 'long' } : f)) };
    expect(() => parseSchema(broken).createResolver(parseSchema(base))).toThrow();
  });
});

describe('PodCost v2', () => {
  it('reads v1 records (before the per-volume breakdown) with volumes = []', () => {
    const v1 = parseSchema((releasedSchemas.PodCost ?? [])[0] ?? {});
    const read = readAcross(v1, parseSchema(currentSchemas.PodCost), v1.random()) as { volumes: unknown };
    expect(read.volumes).toEqual([]);
  });
});

describe('PodCost v4 and KubeObject v5: the disk id the bill names', () => {
  const podCosts = (releasedSchemas.PodCost ?? []).map((s) => parseSchema(s));
  const kubeObjects = (releasedSchemas.KubeObject ?? []).map((s) => parseSchema(s));

  it('are frozen in schemas/released/ as the current versions', () => {
    expect([podCosts.length, kubeObjects.length]).toEqual([4, 5]);
    expect(podCosts[3]!.schema()).toEqual(parseSchema(currentSchemas.PodCost).schema());
    expect(kubeObjects[4]!.schema()).toEqual(parseSchema(currentSchemas.KubeObject).schema());
  });

  it('read older volumes with providerVolumeId = null', () => {
    const v3 = podCosts[2]!;
    const written = { ...(v3.random() as unknown as Record<string, unknown>), volumes: [{ persistentVolume: 'pv', claim: 'c', storageClass: 'gp3', capacityBytes: 1, costUsd: 0.5 }] };
    expect((readAcross(v3, podCosts[3]!, written) as { volumes: unknown }).volumes).toEqual([{ persistentVolume: 'pv', claim: 'c', storageClass: 'gp3', capacityBytes: 1, costUsd: 0.5, providerVolumeId: null }]);
    for (let i = 0; i < 20; i++) {
      const old = kubeObjects[3]!.random() as unknown as { volume: unknown };
      const read = readAcross(kubeObjects[3]!, kubeObjects[4]!, old) as { volume: { providerVolumeId: unknown } | null };
      if (old.volume !== null) expect(read.volume?.providerVolumeId).toBeNull();
    }
  });
});

describe('KubeObject v3', () => {
  const [v1, v2] = (releasedSchemas.KubeObject ?? []).map((s) => parseSchema(s));
  const current = parseSchema(currentSchemas.KubeObject);

  it('reads v1 and v2 records with no autoscaler and no workload state', () => {
    for (const old of [v1, v2]) {
      const read = readAcross(old!, current, old!.random()) as { hpa: unknown; workload: unknown };
      expect([read.hpa, read.workload]).toEqual([null, null]);
    }
  });

  it.each(['HORIZONTAL_POD_AUTOSCALER', 'WORKLOAD'])('is read by a v2 reader as a POD without pod state when kind is %s', (kind) => {
    const newer: Record<string, unknown> = { ...(current.random() as unknown as Record<string, unknown>), kind, pod: null };
    const read = readAcross(current, v2!, newer) as { kind: string; pod: unknown; uid: string };
    expect([read.kind, read.pod, read.uid]).toEqual(['POD', null, newer.uid]);
  });
});

describe('KubeObject v4', () => {
  const released = (releasedSchemas.KubeObject ?? []).map((s) => parseSchema(s));
  const v3 = released[2]!;
  const current = parseSchema(currentSchemas.KubeObject);

  it('reads v1 to v3 records with no disruption budget, and their volumes as not local', () => {
    for (const old of released.slice(0, 3)) {
      for (let i = 0; i < 20; i++) {
        const written = old.random() as unknown as { volume: unknown };
        const read = readAcross(old, current, written) as { disruptionBudget: unknown; volume: { local: boolean } | null };
        expect(read.disruptionBudget).toBeNull();
        if (written.volume !== null) expect(read.volume?.local).toBe(false);
      }
    }
  });

  it('is read by a v3 reader as a POD without pod state when kind is POD_DISRUPTION_BUDGET, the budget dropped', () => {
    const newer: Record<string, unknown> = {
      ...(current.random() as unknown as Record<string, unknown>),
      kind: 'POD_DISRUPTION_BUDGET',
      pod: null,
      disruptionBudget: {
        minAvailable: null, maxUnavailable: '1', matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }],
        disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3,
      },
    };
    const read = readAcross(current, v3, newer) as Record<string, unknown>;
    expect([read.kind, read.pod, read.uid, 'disruptionBudget' in read]).toEqual(['POD', null, newer.uid, false]);
  });

  it('a v3 reader reads a local volume as the volume it knew, without the flag', () => {
    const newer = { ...(current.random() as unknown as Record<string, unknown>), kind: 'PERSISTENT_VOLUME', volume: { capacityBytes: 1, storageClass: 'local-storage', claimNamespace: 'db', claimName: 'data-0', driver: 'local', region: '', local: true } };
    const read = readAcross(current, v3, newer) as { volume: Record<string, unknown> };
    expect(read.volume).toEqual({ capacityBytes: 1, storageClass: 'local-storage', claimNamespace: 'db', claimName: 'data-0', driver: 'local', region: '' });
  });
});

describe('PriceUpdate v2', () => {
  const [v1, v2] = (releasedSchemas.PriceUpdate ?? []).map((s) => parseSchema(s));
  const current = parseSchema(currentSchemas.PriceUpdate);

  it('is frozen in schemas/released/ as the current version', () => {
    expect(v2?.schema()).toEqual(current.schema());
  });

  it('reads v1 records with an unknown instance shape', () => {
    for (let i = 0; i < 20; i++) {
      const read = readAcross(v1!, current, v1!.random()) as Record<string, unknown>;
      expect([read.vcpus, read.memoryBytes, read.gpus, read.architecture]).toEqual([null, null, null, null]);
    }
  });

  it('is read by a v1 reader with every price field as written, the shape dropped', () => {
    const newer: Record<string, unknown> = { ...(current.random() as unknown as Record<string, unknown>), vcpus: 4, memoryBytes: 17_179_869_184, gpus: 0, architecture: 'arm64' };
    const read = readAcross(current, v1!, newer) as Record<string, unknown>;
    expect(Object.keys(read)).not.toContain('vcpus');
    expect(v1!.toBuffer(read)).toEqual(v1!.toBuffer(readAcross(current, v1!, { ...newer, vcpus: null, memoryBytes: null, gpus: null, architecture: null })));
    expect([read.sku, read.hourlyUsd, read.effectiveFrom]).toEqual([newer.sku, newer.hourlyUsd, newer.effectiveFrom]);
  });
});

describe('NodeUsage v1', () => {
  const [v1] = (releasedSchemas.NodeUsage ?? []).map((s) => parseSchema(s));
  const nodeUsage = currentSchemas.NodeUsage as RecordSchema;
  const usageSample = currentSchemas.UsageSample as RecordSchema;

  it('is frozen in schemas/released/ as the current version', () => {
    expect(v1?.schema()).toEqual(parseSchema(nodeUsage).schema());
  });

  it("holds UsageSample's fields exactly, the node's and window's once per record and the rest per container, each with its type and default", () => {
    const containers = nodeUsage.fields.find((f) => f.name === 'containers')?.type as { items: RecordSchema };
    const shape = (f: FieldSchema) => ({ name: f.name, type: f.type, ...('default' in f ? { default: f.default } : {}) });
    const held = [...nodeUsage.fields.filter((f) => f.name !== 'containers'), ...containers.items.fields].map(shape);
    expect(held.sort((a, b) => a.name.localeCompare(b.name))).toEqual(usageSample.fields.map(shape).sort((a, b) => a.name.localeCompare(b.name)).map((f) => (f.name === 'nodeName' ? { name: 'nodeName', type: 'string' } : f)));
  });
});
