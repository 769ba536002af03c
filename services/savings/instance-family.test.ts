import { describe, expect, it } from 'vitest';
import { architectureOf, armSiblings, instanceFamily, instanceSize } from './instance-family.js';

describe('instanceFamily, instanceSize and architectureOf', () => {
  it.each([
    // AWS: family.size; a leading g in the attributes is Graviton.
    ['aws', 'm5.xlarge', 'm5', 'xlarge', 'amd64'],
    ['aws', 'm6g.large', 'm6g', 'large', 'arm64'],
    ['aws', 'm6gd.2xlarge', 'm6gd', '2xlarge', 'arm64'],
    ['aws', 'c7gn.medium', 'c7gn', 'medium', 'arm64'],
    ['aws', 'r8g.metal-24xl', 'r8g', 'metal-24xl', 'arm64'],
    ['aws', 't4g.micro', 't4g', 'micro', 'arm64'],
    ['aws', 'x2gd.xlarge', 'x2gd', 'xlarge', 'arm64'],
    ['aws', 'im4gn.large', 'im4gn', 'large', 'arm64'],
    ['aws', 'is4gen.medium', 'is4gen', 'medium', 'arm64'],
    ['aws', 'a1.large', 'a1', 'large', 'arm64'],
    ['aws', 'g5g.xlarge', 'g5g', 'xlarge', 'arm64'],
    ['aws', 'g5.xlarge', 'g5', 'xlarge', 'amd64'],
    ['aws', 'g4dn.xlarge', 'g4dn', 'xlarge', 'amd64'],
    ['aws', 'm7i-flex.large', 'm7i-flex', 'large', 'amd64'],
    ['aws', 'm6a.large', 'm6a', 'large', 'amd64'],
    ['aws', 'u-6tb1.metal', 'u-6tb1', 'metal', 'amd64'],
    ['aws', 'mac2-m2.metal', 'mac2-m2', 'metal', 'arm64'],
    // GCP: series-type-count; t2a, c4a and n4a are ARM.
    ['gcp', 'n2-standard-4', 'n2-standard', '4', 'amd64'],
    ['gcp', 't2a-standard-8', 't2a-standard', '8', 'arm64'],
    ['gcp', 'c4a-highmem-16-lssd', 'c4a-highmem', '16-lssd', 'arm64'],
    ['gcp', 'n4a-standard-2', 'n4a-standard', '2', 'arm64'],
    ['gcp', 'e2-medium', 'e2', 'medium', 'amd64'],
    ['gcp', 'n2-custom-4-16384', 'n2-custom', '4-16384', 'amd64'],
    ['gcp', 'custom-2-7680', 'n1-custom', '2-7680', 'amd64'],
    ['gcp', 'zz9-standard-4', 'zz9-standard', '4', null],
    // Azure: letters + features + version; the feature p is ARM.
    ['azure', 'Standard_D4s_v5', 'Dsv5', '4', 'amd64'],
    ['azure', 'Standard_D4ps_v5', 'Dpsv5', '4', 'arm64'],
    ['azure', 'Standard_E8pds_v5', 'Epdsv5', '8', 'arm64'],
    ['azure', 'Standard_D2plds_v6', 'Dpldsv6', '2', 'arm64'],
    ['azure', 'Standard_E4-2ds_v5', 'Edsv5', '4-2', 'amd64'],
    ['azure', 'Standard_DS2_v2', 'DSv2', '2', 'amd64'],
    ['azure', 'Standard_B2ms', 'Bms', '2', 'amd64'],
    ['azure', 'Standard_NC24ads_A100_v4', 'NCadsA100v4', '24', 'amd64'],
    // Names kcost cannot take apart are their own family, of unknown architecture.
    ['aws', 'm5', 'm5', '', null],
    ['azure', 'D4s_v5', 'D4s_v5', '', null],
    ['oracle', 'VM.Standard.A1.Flex', 'VM.Standard.A1.Flex', '', null],
  ] as const)('%s %s: family %s, size %s, %s', (provider, type, family, size, architecture) => {
    expect([instanceFamily(provider, type), instanceSize(provider, type), architectureOf(provider, type)]).toEqual([family, size, architecture]);
  });

  it('reads the provider name case-insensitively', () => {
    expect(instanceFamily('AWS', 'm5.xlarge')).toBe('m5');
  });
});

describe('armSiblings', () => {
  const awsCatalog = ['m5.xlarge', 'm5.large', 'm6g.xlarge', 'm7g.xlarge', 'm8g.xlarge', 'm6gd.xlarge', 'm7g.large', 'c6g.xlarge', 'c7gn.xlarge', 'c6gn.xlarge', 'r7g.xlarge', 't4g.medium', 'm6i.xlarge', 'm7a.xlarge'];

  it.each([
    { name: 'AWS m5: the m Graviton types of the same size, newest generation first', provider: 'aws', type: 'm5.xlarge', catalog: awsCatalog, siblings: ['m8g.xlarge', 'm7g.xlarge', 'm6g.xlarge'] },
    { name: 'AWS m6i (Intel) and m7a (AMD) map like m5', provider: 'aws', type: 'm7a.xlarge', catalog: awsCatalog, siblings: ['m8g.xlarge', 'm7g.xlarge', 'm6g.xlarge'] },
    { name: 'AWS m5d keeps its local NVMe: m6gd, not m6g', provider: 'aws', type: 'm5d.xlarge', catalog: awsCatalog, siblings: ['m6gd.xlarge'] },
    { name: 'AWS c5n keeps its network: c6gn and c7gn', provider: 'aws', type: 'c5n.xlarge', catalog: awsCatalog, siblings: ['c7gn.xlarge', 'c6gn.xlarge'] },
    { name: 'AWS m7i-flex maps like m7i', provider: 'aws', type: 'm7i-flex.large', catalog: awsCatalog, siblings: ['m7g.large'] },
    { name: 'AWS t3 goes to t4g', provider: 'aws', type: 't3.medium', catalog: awsCatalog, siblings: ['t4g.medium'] },
    { name: 'AWS: nothing of that size in the catalog', provider: 'aws', type: 'm5.4xlarge', catalog: awsCatalog, siblings: [] },
    { name: 'AWS: an ARM type has no ARM siblings to move to', provider: 'aws', type: 'm6g.xlarge', catalog: awsCatalog, siblings: [] },
    { name: 'GCP n2-standard: same type and count on n4a, c4a, t2a', provider: 'gcp', type: 'n2-standard-4', catalog: ['t2a-standard-4', 'c4a-standard-4', 'c4a-highmem-4', 'n4a-standard-4', 'c4a-standard-8', 'n2-standard-4'], siblings: ['n4a-standard-4', 'c4a-standard-4', 't2a-standard-4'] },
    { name: 'GCP keeps local SSD in the size', provider: 'gcp', type: 'c3-standard-4-lssd', catalog: ['c4a-standard-4', 'c4a-standard-4-lssd'], siblings: ['c4a-standard-4-lssd'] },
    { name: 'GCP shared-core e2 has no sibling', provider: 'gcp', type: 'e2-medium', catalog: ['t2a-standard-1'], siblings: [] },
    { name: 'Azure Dsv5 and Dasv5 go to Dpsv6 then Dpsv5', provider: 'azure', type: 'Standard_D4as_v5', catalog: ['Standard_D4ps_v5', 'Standard_D4ps_v6', 'Standard_D4pds_v5', 'Standard_E4ps_v5', 'Standard_D8ps_v5'], siblings: ['Standard_D4ps_v6', 'Standard_D4ps_v5'] },
    { name: 'Azure Ddsv5 goes to Dpdsv5; Dldsv5 to Dpldsv5', provider: 'azure', type: 'Standard_D4lds_v5', catalog: ['Standard_D4pds_v5', 'Standard_D4plds_v5', 'Standard_D4ps_v5'], siblings: ['Standard_D4plds_v5'] },
    { name: 'AWS GPU types have none: g5g carries T4G GPUs, not g5’s A10G', provider: 'aws', type: 'g5.xlarge', catalog: ['g5g.xlarge'], siblings: [] },
    { name: 'GCP accelerator-optimized types have none', provider: 'gcp', type: 'a3-highgpu-4g', catalog: ['a4x-highgpu-4g'], siblings: [] },
    { name: 'an unknown provider has none', provider: 'oracle', type: 'VM.Standard3.Flex', catalog: ['VM.Standard.A1.Flex'], siblings: [] },
  ])('$name', ({ provider, type, catalog, siblings }) => {
    expect(armSiblings(provider, type, catalog)).toEqual(siblings);
  });
});
