import { KcostError } from '../../errors/kcost-error.js';

// A Kubernetes resource.Quantity: <sign><digits>[.<digits>]<suffix>, where the
// suffix is a binary SI (Ki … Ei), a decimal SI (n u m "" k M G T P E) or a
// decimal exponent (e3, E-2). Parsed with BigInt so "3840Mi" or "931979788n"
// come out exact instead of accumulating float error.
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;

const BINARY_POWER: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** An exact rational value: numerator / denominator, denominator > 0. */
interface Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

function parseRational(raw: string, what: string): Rational {
  const match = QUANTITY.exec(raw.trim());
  if (!match) throw new KcostError('MALFORMED_QUANTITY', `${what}: ${JSON.stringify(raw)} is not a Kubernetes quantity`);
  const [, sign = '', number = '0', binary, decimal, exponent] = match;
  const [whole = '', fraction = ''] = number.split('.');
  let numerator = BigInt(`${whole}${fraction}` || '0');
  let denominator = 1n;
  let power10 = -fraction.length;
  if (binary !== undefined) numerator <<= BINARY_POWER[binary] ?? 0n;
  if (decimal !== undefined) power10 += DECIMAL_EXPONENT[decimal] ?? 0;
  if (exponent !== undefined) power10 += Number(exponent);
  if (Math.abs(power10) > 64) throw new KcostError('MALFORMED_QUANTITY', `${what}: ${JSON.stringify(raw)} is out of range`);
  if (power10 >= 0) numerator *= 10n ** BigInt(power10);
  else denominator = 10n ** BigInt(-power10);
  if (sign === '-') numerator = -numerator;
  return { numerator, denominator };
}

/** CPU quantity ("100m", "2", "931979788n") in cores. */
export function parseCores(raw: string, what = 'cpu'): number {
  const { numerator, denominator } = parseRational(raw, what);
  // One division of two exactly representable integers is correctly rounded, so
  // "1930m" is exactly the double nearest 1.93; only huge values need BigInt first.
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  if (numerator <= limit && numerator >= -limit && denominator <= limit) return Number(numerator) / Number(denominator);
  return Number(numerator / denominator) + Number(numerator % denominator) / Number(denominator);
}

/** Byte quantity ("70Mi", "1Gi", "1e3", "128974848") in whole bytes, rounded up as Kubernetes does. */
export function parseBytes(raw: string, what = 'memory'): number {
  const { numerator, denominator } = parseRational(raw, what);
  let bytes = numerator / denominator;
  if (numerator % denominator !== 0n && numerator > 0n) bytes += 1n;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER) || bytes < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new KcostError('MALFORMED_QUANTITY', `${what}: ${JSON.stringify(raw)} does not fit in a byte count`);
  }
  return Number(bytes);
}
