import { describe, expect, it } from 'vitest';
import { instanceIdOfProviderId, instanceIdOfResourceId } from './line-identity.js';

describe('instance ids', () => {
  it.each([
    ['aws:///us-east-1a/i-0abc1234def567890', 'i-0abc1234def567890'],
    ['gce://my-project/europe-west1-b/gke-pool-1-abcd', 'gke-pool-1-abcd'],
    ['azure:///subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/VM-1', 'vm-1'],
  ])('a node with providerID %s matches bill lines of %s', (providerId, id) => {
    expect(instanceIdOfProviderId(providerId)).toBe(id);
  });

  it.each([
    ['i-0abc1234def567890', 'i-0abc1234def567890'],
    ['arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234def567890', 'i-0abc1234def567890'],
    ['/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1', 'vm-1'],
    ['//compute.googleapis.com/projects/p/zones/z/instances/gke-pool-1-abcd', 'gke-pool-1-abcd'],
    ['arn:aws:rds:us-east-1:123456789012:db:orders-db', null],
    ['vol-0abc', null],
    [null, null],
  ])('resource id %s names the VM %s', (resourceId, id) => {
    expect(instanceIdOfResourceId(resourceId)).toBe(id);
  });
});
