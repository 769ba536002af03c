import { createHash } from 'node:crypto';
import type { BillingLine } from '../../codec/records.generated.js';

/** A billing line before it has its id: every field but lineId. */
export type UnidentifiedLine = Omit<BillingLine, 'lineId'>;

/**
 * The columns that say what was charged, not how much: two rows that agree
 * on all of them are the same line, restated when their figures differ.
 */
function identityOf(line: UnidentifiedLine): string {
  const tags = Object.keys(line.tags)
    .sort()
    .map((k) => [k, line.tags[k]]);
  return JSON.stringify([
    line.subAccountId,
    line.chargePeriodStart,
    line.chargePeriodEnd,
    line.chargeCategory,
    line.chargeClass,
    line.chargeDescription,
    line.chargeFrequency,
    line.pricingCategory,
    line.commitmentDiscountId,
    line.resourceId,
    line.skuId,
    line.serviceName,
    line.regionId,
    line.availabilityZone,
    line.consumedUnit,
    tags,
  ]);
}

/**
 * Gives lines their ids: a hash of their identity, and `#n` for the n-th
 * repeat (n ≥ 2) of the same identity in one account and billing period of a
 * delivery, in row order. `seen` carries the counts across the files of one
 * delivery.
 */
export function identify(line: UnidentifiedLine, seen: Map<string, number>): BillingLine {
  const hash = createHash('sha256').update(identityOf(line)).digest('base64url').slice(0, 22);
  const scoped = `${line.billingAccountId}/${line.billingPeriodStart}/${hash}`;
  const count = (seen.get(scoped) ?? 0) + 1;
  seen.set(scoped, count);
  return { ...line, lineId: count === 1 ? hash : `${hash}#${count}` };
}

/**
 * The virtual machine a billing resource id names, in the form a Kubernetes
 * node's providerID ends with, or null when it names no VM:
 * i-0abc and arn:aws:ec2:…:instance/i-0abc give i-0abc; an Azure
 * /subscriptions/…/virtualMachines/vm-1 gives vm-1; a GCP
 * //compute.googleapis.com/projects/p/zones/z/instances/n or
 * projects/p/zones/z/instances/n gives n.
 */
export function instanceIdOfResourceId(resourceId: string | null): string | null {
  if (resourceId === null) return null;
  const aws = /(?:^|instance\/)(i-[0-9a-f]{8,17})$/.exec(resourceId);
  if (aws) return aws[1] as string;
  const azure = /\/virtualMachines\/([^/]+)$/i.exec(resourceId);
  if (azure) return (azure[1] as string).toLowerCase();
  const gcp = /\/instances\/([^/]+)$/.exec(resourceId);
  if (gcp) return gcp[1] as string;
  return null;
}

/**
 * The instance id in a node's spec.providerID, comparable with
 * instanceIdOfResourceId: aws:///us-east-1a/i-0abc → i-0abc,
 * gce://project/zone/name → name, azure:///subscriptions/…/virtualMachines/vm-1 → vm-1.
 */
export function instanceIdOfProviderId(providerId: string): string | null {
  const path = providerId.replace(/^[a-z]+:\/\//, '');
  if (providerId.startsWith('azure://')) return instanceIdOfResourceId(path);
  const last = path.split('/').filter((p) => p !== '').pop();
  return last ?? null;
}
