import { readFileSync } from 'node:fs';
import { KcostError, messageOf } from '../errors/kcost-error.js';
import { DEFAULT_PRICES, GIB } from '../processor/default-prices.js';
import type { CostApi } from './api-client.js';
import { defaultRates, estimateMonthly, ratesFromNodePrice, type NodePrice, type Rates, type WorkloadEstimate } from './estimate.js';
import { parseManifest } from './manifest.js';
import { renderTable, type Column } from './table.js';

export interface EstimateOptions {
  readonly filename: string;
  readonly nodeCount: number;
  readonly provider: string;
  readonly region: string;
  readonly instanceType: string;
  readonly capacityType: string;
  readonly nodeCpu: number;
  readonly nodeMemoryGib: number;
  readonly maxMonthlyUsd: number | null;
  readonly output: 'table' | 'json' | 'csv';
}

interface PricesAnswer {
  skus: Array<{ provider: string; region: string; sku: string; current: (NodePrice & { storageGibMonthUsd: number | null; source: string }) | null }>;
}

/** Exit status of an estimate over --max-monthly-usd, apart from 1 (any error) so CI can tell them apart. */
export const OVER_BUDGET_EXIT = 3;

const money = (value: number) => value.toFixed(2);
const COLUMNS: ReadonlyArray<Column<{ name: string; replicas: string; cpu: string; memory: string; gpu: string; storage: string; monthly: string }>> = [
  { header: 'WORKLOAD', value: (r) => r.name },
  { header: 'REPLICAS', value: (r) => r.replicas, align: 'right' },
  { header: 'CPU', value: (r) => r.cpu, align: 'right' },
  { header: 'MEMORY GIB', value: (r) => r.memory, align: 'right' },
  { header: 'GPU', value: (r) => r.gpu, align: 'right' },
  { header: 'STORAGE GIB', value: (r) => r.storage, align: 'right' },
  { header: 'MONTHLY USD', value: (r) => r.monthly, align: 'right' },
];

/**
 * Estimates the monthly cost of the manifest's workloads at the current
 * prices the API knows (or the built-in defaults) and says whether it stays
 * within --max-monthly-usd.
 */
export async function estimateCommand(api: CostApi, options: EstimateOptions): Promise<{ text: string; exitCode: number; notes: string[] }> {
  if (options.filename === '') throw new KcostError('INVALID_CONFIG', 'estimate needs a manifest: kubectl cost estimate -f manifest.yaml');
  let source: string;
  try {
    source = readFileSync(options.filename, 'utf8');
  } catch (error) {
    throw new KcostError('INVALID_CONFIG', `cannot read -f ${options.filename}: ${messageOf(error)}`);
  }
  const manifest = parseManifest(source, options.nodeCount, options.filename);
  const notes = manifest.skipped.map((s) => `skipped ${s}: only Deployments, StatefulSets and DaemonSets are estimated`);
  const rates = await resolveRates(api, options, manifest.workloads.flatMap((w) => w.volumes.map((v) => v.storageClass)), notes);
  const estimates = estimateMonthly(manifest.workloads, rates);
  const total = estimates.reduce((sum, e) => sum + e.monthlyUsd, 0);
  const over = options.maxMonthlyUsd !== null && total > options.maxMonthlyUsd;
  if (over) notes.push(`estimated monthly cost ${money(total)} USD exceeds --max-monthly-usd ${options.maxMonthlyUsd ?? ''}`);
  const text = options.output === 'json' ? `${JSON.stringify(jsonOf(estimates, total, rates), null, 2)}\n` : tableOf(estimates, total, rates);
  return { text, exitCode: over ? OVER_BUDGET_EXIT : 0, notes };
}

async function resolveRates(api: CostApi, options: EstimateOptions, storageClasses: readonly string[], notes: string[]): Promise<Rates> {
  const place = { provider: options.provider, region: options.region };
  let compute = defaultRates(options.capacityType);
  let source = `default prices (${options.capacityType})`;
  if (options.instanceType !== '') {
    const answer = await api.get<PricesAnswer>('v1/prices', { ...place, kind: 'NODE', sku: options.instanceType, capacityType: options.capacityType });
    const found = answer.skus.find((s) => s.current !== null);
    const priced = found?.current ? ratesFromNodePrice(found.current, { cpuCores: options.nodeCpu, memoryGib: options.nodeMemoryGib }) : undefined;
    if (found?.current && !priced) {
      throw new KcostError('INVALID_CONFIG', `the price of ${options.instanceType} is a whole-node price; give --node-cpu and --node-memory-gib to split it into CPU and memory`);
    }
    if (found && priced) {
      compute = priced;
      source = `${found.current?.source ?? ''} ${found.provider}/${found.region}/${found.sku} ${options.capacityType}`;
    } else {
      notes.push(`no current price for ${options.instanceType} (${options.capacityType}); using the default prices`);
    }
  }
  const storage = new Map<string, number>();
  for (const storageClass of new Set(storageClasses.filter((c) => c !== ''))) {
    const answer = await api.get<PricesAnswer>('v1/prices', { ...place, kind: 'STORAGE', sku: storageClass });
    const price = answer.skus.find((s) => s.current?.storageGibMonthUsd !== null && s.current?.storageGibMonthUsd !== undefined)?.current?.storageGibMonthUsd;
    if (price !== undefined && price !== null) storage.set(storageClass, price);
    else notes.push(`no current price for storage class ${storageClass}; using ${DEFAULT_PRICES.storageGibMonthUsd} USD per GiB-month`);
  }
  return { ...compute, storageGibMonthUsd: (c) => storage.get(c) ?? DEFAULT_PRICES.storageGibMonthUsd, source };
}

function tableOf(estimates: readonly WorkloadEstimate[], total: number, rates: Rates): string {
  const rows = estimates.map(({ workload: w, monthlyUsd }) => ({
    name: `${w.namespace}/${w.kind}/${w.name}`,
    replicas: String(w.replicas),
    cpu: (w.cpuCores * w.replicas).toFixed(3),
    memory: ((w.memoryBytes / GIB) * w.replicas).toFixed(3),
    gpu: String(w.gpus * w.replicas),
    storage: ((w.volumes.reduce((s, v) => s + v.bytes, 0) / GIB) * w.replicas).toFixed(1),
    monthly: money(monthlyUsd),
  }));
  const footer = { name: 'TOTAL', replicas: '', cpu: '', memory: '', gpu: '', storage: '', monthly: money(total) };
  return (
    renderTable(COLUMNS, rows, footer) +
    `\nPrices: ${rates.source}: ${rates.cpuCoreHourUsd} USD/vCPU-h, ${rates.memoryGibHourUsd} USD/GiB-h, ${rates.gpuHourUsd} USD/GPU-h; 730 hours a month.\n`
  );
}

function jsonOf(estimates: readonly WorkloadEstimate[], total: number, rates: Rates) {
  return {
    monthlyUsd: total,
    prices: { source: rates.source, cpuCoreHourUsd: rates.cpuCoreHourUsd, memoryGibHourUsd: rates.memoryGibHourUsd, gpuHourUsd: rates.gpuHourUsd },
    workloads: estimates.map((e) => ({ ...e.workload, hourlyUsd: e.hourlyUsd, storageMonthlyUsd: e.storageMonthlyUsd, monthlyUsd: e.monthlyUsd })),
  };
}
