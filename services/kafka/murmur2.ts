const SEED = 0x9747b28c;
const M = 0x5bd1e995;

const utf8 = new TextEncoder();
/** Where a key's UTF-8 bytes are written to be hashed: one buffer, reused (and grown) for every key, so hashing allocates nothing. */
let scratch = new Uint8Array(256);

/**
 * The Java client's murmur2 hash of a key's UTF-8 bytes, as a signed 32-bit
 * integer: the hash kafkajs's DefaultPartitioner and Java's partitioner put a
 * key's records by, so a key lands where every kcost producer and consumer
 * expects it. kafkajs computes it with a 64-bit Long object per step and a
 * Buffer per key, on the path every produced record takes; this one uses
 * 32-bit integer math over a reused buffer.
 */
export function murmur2(key: string): number {
  // UTF-8 needs at most 3 bytes per UTF-16 unit.
  if (key.length * 3 > scratch.length) scratch = new Uint8Array(key.length * 3);
  const { written } = utf8.encodeInto(key, scratch);
  return murmur2Bytes(scratch, written);
}

/** murmur2 of the first `length` bytes of `data`. */
export function murmur2Bytes(data: Uint8Array, length = data.length): number {
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4] as number) | ((data[i4 + 1] as number) << 8) | ((data[i4 + 2] as number) << 16) | ((data[i4 + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= (data[tail + 2] as number) << 16;
    if (rest >= 2) h ^= (data[tail + 1] as number) << 8;
    h ^= data[tail] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h;
}
