import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { recommendation } from '../../test/fixtures/storage/recommendations.js';
import { renderPatches, resourcePatches } from './resource-patch.js';

const MIB = 1_048_576;

describe('resourcePatches', () => {
  it('groups a workload\'s containers into one patch of its pod template, with only the resources to change', () => {
    const { documents, skipped } = resourcePatches([
      recommendation({ target: { container: 'app' }, cpu: { currentLimit: 2 } }),
      recommendation({ target: { container: 'sidecar' }, memory: { action: 'KEEP' }, cpu: { action: 'NONE' } }),
      recommendation({ target: { container: 'proxy' }, memory: { action: 'KEEP' } }),
    ]);
    expect(skipped).toEqual([]);
    expect(documents).toHaveLength(1);
    expect(documents[0]?.comments[0]).toBe('kubectl patch deployment checkout -n shop --type strategic --patch-file <this document>');
    expect(documents[0]?.patch).toEqual({
      spec: {
        template: {
          spec: {
            containers: [
              // The CPU limit kcost does not keep is deleted (null), the memory limit set.
              { name: 'app', resources: { requests: { cpu: '450m', memory: '700Mi' }, limits: { cpu: null, memory: '840Mi' } } },
              { name: 'proxy', resources: { requests: { cpu: '450m' } } },
            ],
          },
        },
      },
    });
  });

  it('patches a CronJob under spec.jobTemplate and skips what has no pod template to patch', () => {
    const { documents, skipped } = resourcePatches([
      recommendation({ target: { workloadKind: 'CronJob', workloadName: 'nightly' }, cpu: { action: 'KEEP' }, memory: { recommendedRequest: 1400 * MIB, recommendedLimit: 1536 * MIB } }),
      recommendation({ target: { workloadKind: '', workloadName: '' } }),
      recommendation({ target: { workloadKind: 'Job', workloadName: 'once' } }),
    ]);
    expect(documents.map((d) => d.patch)).toEqual([
      { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'app', resources: { requests: { memory: '1400Mi' }, limits: { memory: '1536Mi' } } }] } } } } } },
    ]);
    expect(skipped).toEqual([
      expect.stringContaining('prod-eu/shop//: no patch for a bare pod'),
      expect.stringContaining('prod-eu/shop/Job/once: no patch for a Job'),
    ]);
  });

  it('adds an HPA patch only where a target moves, keeping the targets that stay', () => {
    const moving = resourcePatches([
      recommendation({
        hpa: [
          { resource: 'cpu', currentTargetUtilizationPercent: 60, recommendedTargetUtilizationPercent: 80, note: '' },
          { resource: 'memory', currentTargetUtilizationPercent: 70, recommendedTargetUtilizationPercent: null, note: '' },
        ],
      }),
    ]).documents;
    expect(moving[1]?.comments[0]).toBe('kubectl patch horizontalpodautoscalers.v2.autoscaling checkout -n shop --type strategic --patch-file <this document>');
    expect(moving[1]?.patch).toEqual({
      spec: {
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } } },
        ],
      },
    });
    const staying = resourcePatches([recommendation({ hpa: [{ resource: 'cpu', currentTargetUtilizationPercent: 60, recommendedTargetUtilizationPercent: null, note: '' }] })]);
    expect(staying.documents).toHaveLength(1);
  });
});

describe('renderPatches', () => {
  it('writes each document as comment lines and YAML, separated by ---', () => {
    const { documents } = resourcePatches([recommendation(), recommendation({ target: { workloadName: 'cart' } })]);
    const text = renderPatches(documents);
    const parsed = parseAllDocuments(text);
    expect(parsed.map((d) => d.toJS() as unknown)).toEqual(documents.map((d) => d.patch));
    expect(text.split('---\n').map((part) => part.split('\n')[0])).toEqual([
      '# kubectl patch deployment checkout -n shop --type strategic --patch-file <this document>',
      '# kubectl patch deployment cart -n shop --type strategic --patch-file <this document>',
    ]);
  });
});
