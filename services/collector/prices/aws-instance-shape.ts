import type { PriceUpdate } from '../../codec/records.generated.js';

/** The instance-shape fields of a PriceUpdate. */
export type InstanceShape = Pick<PriceUpdate, 'vcpus' | 'memoryBytes' | 'gpus' | 'architecture'>;

const GIB = 1024 ** 3;
// "8 GiB", "0.5 GiB", "1,952 GiB": the Price List writes thousands with a comma.
const MEMORY = /^(\d{1,3}(?:,\d{3})*|\d+)(\.\d+)?\s*GiB$/;

function positiveNumber(raw: unknown): number | null {
  if (typeof raw !== 'string' || !/^\d+(\.\d+)?$/.test(raw.trim())) return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

function memoryBytes(raw: unknown): number | null {
  const match = typeof raw === 'string' ? MEMORY.exec(raw.trim()) : null;
  if (!match) return null;
  return Math.round(Number(`${(match[1] ?? '').replaceAll(',', '')}${match[2] ?? ''}`) * GIB);
}

/**
 * The architecture as kubernetes.io/arch names it. Graviton types say so in
 * physicalProcessor ("AWS Graviton2 Processor"); x86 types name an Intel or
 * AMD part there, and only x86 types can run 32-bit ("32-bit or 64-bit").
 * Anything else is not guessed.
 */
function architecture(processorArchitecture: unknown, physicalProcessor: unknown): string | null {
  const processor = typeof physicalProcessor === 'string' ? physicalProcessor : '';
  const arch = typeof processorArchitecture === 'string' ? processorArchitecture : '';
  if (/graviton/i.test(processor) || /\b(arm|aarch64)/i.test(arch)) return 'arm64';
  if (/\b(intel|amd|xeon|epyc)\b/i.test(processor) || /32-bit/.test(arch)) return 'amd64';
  return null;
}

/**
 * An EC2 instance type's shape from its Price List product attributes
 * (vcpu "2", memory "8 GiB", gpu "1", processorArchitecture,
 * physicalProcessor). A field the attributes do not state readably is null.
 * GPUs: the Price List names `gpu` only for types that have one, so a
 * product that states its vCPUs but no GPU has none.
 */
export function awsInstanceShape(attributes: Readonly<Record<string, unknown>>): InstanceShape {
  const vcpus = positiveNumber(attributes.vcpu);
  const gpus = attributes.gpu === undefined ? (vcpus === null ? null : 0) : positiveNumber(attributes.gpu);
  return {
    vcpus,
    memoryBytes: memoryBytes(attributes.memory),
    gpus,
    architecture: architecture(attributes.processorArchitecture, attributes.physicalProcessor),
  };
}
