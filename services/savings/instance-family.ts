/**
 * What kcost knows about the names of AWS, GCP and Azure instance types:
 * their family, their size, their CPU architecture and which ARM types can
 * stand in for an x86 one. Pure string knowledge: no catalog lookups, no I/O.
 *
 * - AWS `m6gd.xlarge`: family `m6gd` (class `m`, generation 6, attributes
 *   `gd`), size `xlarge`. In the attributes, a leading `g` is Graviton
 *   (ARM), `a` AMD and `i` Intel; the rest are features (`d` local NVMe, `n`
 *   network, `e` extra memory, `z` high frequency, `b` EBS, `-flex`). `a1`
 *   is the first Graviton.
 * - GCP `n2-standard-4`: family `n2-standard` (series `n2`, type `standard`),
 *   size `4`; whatever follows the count stays in the size (`4-lssd`),
 *   custom types keep cores and MiB (`n2-custom-4-16384`: family
 *   `n2-custom`, size `4-16384`) and shared-core types have the series as
 *   family (`e2-medium`: `e2`, `medium`). Series t2a, c4a and n4a (Ampere
 *   Altra and Axion) and a4x (Grace) are ARM.
 * - Azure `Standard_D4pds_v5`: family `Dpdsv5` (letters `D`, features
 *   `pds`, version 5), size `4` (`E4-2ds_v5`: size `4-2`, the constrained
 *   vCPU count). The feature `p` is ARM (Ampere Altra, Cobalt), `a` AMD.
 */

export type Architecture = 'amd64' | 'arm64';

/** One instance type's name taken apart, in terms every provider shares. */
interface ParsedType {
  readonly family: string;
  readonly size: string;
  readonly architecture: Architecture | null;
  /** What an ARM sibling must share: the class and the features, without the CPU vendor. */
  readonly siblingKey: string | null;
  /** Larger is newer: the generation (AWS), the version (Azure) or the rank of an ARM series (GCP). */
  readonly generation: number;
}

// Accelerated classes (GPUs, Inferentia, Trainium, FPGAs, video): an ARM
// type of the same class carries a different accelerator (g5 has A10G GPUs,
// g5g T4G), so it is no like-for-like replacement.
const AWS_ACCELERATED_CLASSES: ReadonlySet<string> = new Set(['p', 'g', 'gr', 'inf', 'trn', 'dl', 'f', 'vt']);
const AWS_TYPE = /^([a-z]+?)(\d+)([a-z]*)(-[a-z0-9]+)?\.([a-z0-9-]+)$/;
// Apple silicon Mac instances are the only ARM types without a Graviton `g`.
const AWS_ARM_MACS = /^mac2(-|$)/;

function parseAws(instanceType: string): ParsedType | null {
  const dot = instanceType.indexOf('.');
  if (dot <= 0) return null;
  const family = instanceType.slice(0, dot);
  const size = instanceType.slice(dot + 1);
  // High-memory `u-6tb1.metal` and Macs have no class/generation/attributes shape.
  if (family.startsWith('u-') || family.startsWith('mac')) {
    const architecture = AWS_ARM_MACS.test(family) ? 'arm64' : 'amd64';
    return { family, size, architecture, siblingKey: null, generation: 0 };
  }
  const match = AWS_TYPE.exec(instanceType);
  if (!match) return null;
  const [, cls = '', generation = '0', attributes = '', suffix = ''] = match;
  const vendor = attributes.startsWith('g') || attributes.startsWith('a') || attributes.startsWith('i') ? attributes.charAt(0) : '';
  const arm = vendor === 'g' || family === 'a1';
  // `-flex` is a price/performance option of the x86 type, not a feature an ARM type lacks.
  const features = attributes.slice(vendor.length) + (suffix === '-flex' ? '' : suffix);
  const siblingKey = AWS_ACCELERATED_CLASSES.has(cls) ? null : `${cls}/${features}`;
  return { family, size, architecture: arm ? 'arm64' : 'amd64', siblingKey, generation: Number(generation) };
}

/** ARM series of GCP, newest first: the order in which siblings are preferred. */
const GCP_ARM_SERIES: readonly string[] = ['n4a', 'c4a', 't2a', 'a4x'];
// Accelerator-optimized series differ in their GPUs (a3 H100, a4x GB200): never siblings.
const GCP_ACCELERATED_SERIES: ReadonlySet<string> = new Set(['a2', 'a3', 'a4', 'a4x', 'g2', 'g4']);
const GCP_X86_SERIES: ReadonlySet<string> = new Set([
  'e2', 'f1', 'g1', 'n1', 'n2', 'n2d', 'n4', 'n4d', 't2d', 'c2', 'c2d', 'c3', 'c3d', 'c4', 'c4d', 'h3', 'h4d',
  'm1', 'm2', 'm3', 'm4', 'x4', 'z3', 'a2', 'a3', 'a4', 'g2', 'g4',
]);

function parseGcp(instanceType: string): ParsedType | null {
  const parts = instanceType.split('-');
  if (parts.length < 2 || parts.some((p) => p === '')) return null;
  // Custom N1 types carry no series: `custom-4-16384`.
  const [series = '', type = '', ...rest] = parts[0] === 'custom' ? ['n1', ...parts] : parts;
  const architecture = GCP_ARM_SERIES.includes(series) ? 'arm64' : GCP_X86_SERIES.has(series) ? 'amd64' : null;
  const rank = GCP_ARM_SERIES.length - GCP_ARM_SERIES.indexOf(series);
  const generation = architecture === 'arm64' ? rank : 0;
  if (rest.length === 0) return { family: series, size: type, architecture, siblingKey: null, generation };
  const siblingKey = GCP_ACCELERATED_SERIES.has(series) ? null : type;
  return { family: `${series}-${type}`, size: rest.join('-'), architecture, siblingKey, generation };
}

const AZURE_TYPE = /^(?:Standard|Basic)_([A-Z]+)(\d+)(-\d+)?([a-z]*)(?:_([A-Z][A-Za-z0-9]*))?(?:_v(\d+))?$/;

function parseAzure(instanceType: string): ParsedType | null {
  const match = AZURE_TYPE.exec(instanceType);
  if (!match) return null;
  const [, letters = '', vcpus = '', constrained = '', features = '', accelerator = '', version = ''] = match;
  const family = `${letters}${features}${accelerator}${version === '' ? '' : `v${version}`}`;
  const architecture = features.includes('p') ? 'arm64' : 'amd64';
  // Feature letters come in no fixed order across generations (pds, plds), so compare them as a set.
  const otherFeatures = [...features].filter((f) => f !== 'p' && f !== 'a').sort().join('');
  return { family, size: `${vcpus}${constrained}`, architecture, siblingKey: `${letters}/${otherFeatures}${accelerator}`, generation: Number(version === '' ? 1 : version) };
}

function parse(provider: string, instanceType: string): ParsedType | null {
  switch (provider.toLowerCase()) {
    case 'aws':
      return parseAws(instanceType);
    case 'gcp':
      return parseGcp(instanceType);
    case 'azure':
      return parseAzure(instanceType);
    default:
      return null;
  }
}

/**
 * The family of an instance type (`m5.xlarge` → `m5`, `n2-standard-4` →
 * `n2-standard`, `Standard_D4s_v5` → `Dsv5`): the unit in which commitments
 * and node pools are grouped. A name kcost cannot take apart is its own
 * family, so unknown types still group with themselves.
 */
export function instanceFamily(provider: string, instanceType: string): string {
  return parse(provider, instanceType)?.family ?? instanceType;
}

/** The size within the family (`xlarge`, `4`, `4-16384`); empty when the name cannot be taken apart. */
export function instanceSize(provider: string, instanceType: string): string {
  return parse(provider, instanceType)?.size ?? '';
}

/** The CPU architecture the name implies, or null for a provider or name kcost does not know. */
export function architectureOf(provider: string, instanceType: string): Architecture | null {
  return parse(provider, instanceType)?.architecture ?? null;
}

/**
 * ARM types of the catalog that can replace an x86 type: same size, same
 * class (AWS `m`, GCP `standard`, Azure `D`) and the same features apart
 * from the CPU vendor (`m5d.xlarge` → `m6gd.xlarge`, not `m6g.xlarge`),
 * newest generation first. Empty for an ARM or unknown type, and for
 * GPU and other accelerated types, whose ARM counterparts carry different
 * accelerators.
 */
export function armSiblings(provider: string, instanceType: string, catalogTypes: readonly string[]): readonly string[] {
  const current = parse(provider, instanceType);
  if (current?.architecture !== 'amd64' || current.siblingKey === null) return [];
  const siblings: Array<{ type: string; generation: number }> = [];
  for (const type of new Set(catalogTypes)) {
    const candidate = parse(provider, type);
    if (candidate?.architecture !== 'arm64') continue;
    if (candidate.siblingKey !== current.siblingKey || candidate.size !== current.size) continue;
    siblings.push({ type, generation: candidate.generation });
  }
  return siblings.sort((a, b) => b.generation - a.generation || a.type.localeCompare(b.type)).map((s) => s.type);
}
