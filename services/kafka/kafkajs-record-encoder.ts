import type { IHeaders } from 'kafkajs';

/** What kafkajs's produce request passes its record encoder for each message. */
export interface RecordArgs {
  readonly offsetDelta?: number;
  readonly timestampDelta?: number;
  readonly key?: Buffer | string | null;
  readonly value?: Buffer | string | null;
  readonly headers?: IHeaders;
}

/** What kafkajs's record batch reads of an encoded record: its bytes, as its Encoder exposes them. */
export interface EncodedRecord {
  readonly buf: Buffer;
  readonly offset: number;
  readonly buffer: Buffer;
}

type RecordEncoder = (args: RecordArgs) => EncodedRecord;

class ExactRecord implements EncodedRecord {
  readonly offset: number;
  constructor(readonly buf: Buffer) {
    this.offset = buf.length;
  }

  get buffer(): Buffer {
    return this.buf;
  }
}

/** Varints of kcost's records stay in 32 bits; larger values go to kafkajs's own encoder. */
const MAX_INT32 = 0x7fffffff;

function zigZag(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

function varIntSize(value: number): number {
  let unsigned = zigZag(value);
  let size = 1;
  while (unsigned >= 0x80) {
    unsigned >>>= 7;
    size++;
  }
  return size;
}

function byteLengthOf(value: Buffer | string): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
}

function bytesSize(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return varIntSize(-1);
  const length = byteLengthOf(value);
  return varIntSize(length) + length;
}

function writeVarInt(buf: Buffer, at: number, value: number): number {
  let unsigned = zigZag(value);
  while (unsigned >= 0x80) {
    buf[at++] = (unsigned & 0x7f) | 0x80;
    unsigned >>>= 7;
  }
  buf[at++] = unsigned;
  return at;
}

function writeBytes(buf: Buffer, at: number, value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return writeVarInt(buf, at, -1);
  if (typeof value === 'string') {
    const length = Buffer.byteLength(value, 'utf8');
    at = writeVarInt(buf, at, length);
    return at + buf.write(value, at, length, 'utf8');
  }
  at = writeVarInt(buf, at, value.length);
  return at + value.copy(buf, at);
}

function isSmall(value: number): boolean {
  return Number.isInteger(value) && value >= -MAX_INT32 && value <= MAX_INT32;
}

/** The headers as kafkajs lists them (an array value is one header per element), or null if one is of a kind left to kafkajs. */
function headerList(headers: IHeaders): Array<[string, Buffer | string]> | null {
  const list: Array<[string, Buffer | string]> = [];
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    for (const one of Array.isArray(value) ? value : [value]) {
      if (typeof one !== 'string' && !Buffer.isBuffer(one)) return null;
      list.push([key, one]);
    }
  }
  return list;
}

/**
 * kafkajs's record encoder (Kafka's v2 record: length, attributes,
 * timestamp and offset deltas, key, value, headers), byte for byte, into one
 * buffer of the record's exact size. kafkajs's own starts a zero-filled
 * 512-byte buffer per record and allocates an array and a Buffer per varint
 * and a Long per timestamp delta: the most allocating step of producing.
 * Anything outside what kcost produces (a delta beyond 32 bits, a header
 * value that is neither string nor Buffer) is left to `fallback`, kafkajs's
 * own encoder.
 */
export function exactRecordEncoder(fallback: RecordEncoder): RecordEncoder {
  return (args) => {
    const { offsetDelta = 0, timestampDelta = 0, key, value, headers } = args;
    const list = headers === undefined ? [] : headerList(headers);
    if (list === null || !isSmall(offsetDelta) || !isSmall(timestampDelta)) return fallback(args);
    let headersSize = varIntSize(list.length);
    for (const [headerKey, headerValue] of list) headersSize += bytesSize(headerKey) + bytesSize(headerValue);
    const bodySize = 1 + varIntSize(timestampDelta) + varIntSize(offsetDelta) + bytesSize(key) + bytesSize(value) + headersSize;
    const buf = Buffer.allocUnsafe(varIntSize(bodySize) + bodySize);
    let at = writeVarInt(buf, 0, bodySize);
    buf[at++] = 0; // attributes: none are used per record
    at = writeVarInt(buf, at, timestampDelta);
    at = writeVarInt(buf, at, offsetDelta);
    at = writeBytes(buf, at, key);
    at = writeBytes(buf, at, value);
    at = writeVarInt(buf, at, list.length);
    for (const [headerKey, headerValue] of list) {
      at = writeBytes(buf, at, headerKey);
      at = writeBytes(buf, at, headerValue);
    }
    return new ExactRecord(buf);
  };
}
