import { KcostError } from '../errors/kcost-error.js';
import type { Codec, Decoded } from './codec.js';
import { invalidRecord, undecodable, unexpectedSchema } from './codec-errors.js';
import type { RecordTypes, SchemaName } from './records.generated.js';
import type { SchemaCatalog } from './schema-catalog.js';

const MARKER = Buffer.from([0xc3, 0x01]);
const HEADER_BYTES = 10;

/**
 * Avro single-object encoding: 0xC3 0x01, the writer schema's 8-byte
 * CRC-64-AVRO fingerprint (little-endian), then the Avro binary body. A
 * consumer needs only the .avsc files to read it.
 */
export class SingleObjectCodec implements Codec {
  /** Marker and fingerprint of each schema written, built once. */
  private readonly headers = new Map<SchemaName, Buffer>();
  /**
   * Where a record is encoded before it is copied out at its exact size: one
   * buffer, reused (and grown) for every record, instead of avsc's zero-filled
   * body buffer and a concatenation per record.
   */
  private scratch = Buffer.allocUnsafe(4096);

  constructor(private readonly catalog: SchemaCatalog) {}

  async encode<N extends SchemaName>(schema: N, value: RecordTypes[N]): Promise<Buffer> {
    return this.encodeSync(schema, value);
  }

  encodeSync<N extends SchemaName>(schema: N, value: RecordTypes[N]): Buffer {
    const writer = this.catalog.writer(schema);
    const paths: string[] = [];
    if (!writer.type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) })) throw invalidRecord(schema, paths);
    let header = this.headers.get(schema);
    if (!header) {
      header = Buffer.concat([MARKER, Buffer.from(writer.fingerprintHex, 'hex')]);
      this.headers.set(schema, header);
    }
    for (;;) {
      header.copy(this.scratch, 0);
      // avsc returns the end of what it wrote, or (negative) how many bytes the buffer lacked.
      const end = writer.type.encode(value, this.scratch, HEADER_BYTES);
      if (end >= 0) return Buffer.from(this.scratch.subarray(0, end));
      this.scratch = Buffer.allocUnsafe(2 * (this.scratch.length - end));
    }
  }

  async decode(bytes: Buffer): Promise<Decoded> {
    return this.decodeSync(bytes);
  }

  decodeSync(bytes: Buffer): Decoded {
    if (bytes.length < HEADER_BYTES || bytes[0] !== MARKER[0] || bytes[1] !== MARKER[1]) {
      throw undecodable(`not Avro single-object encoded: expected marker c301, got ${bytes.subarray(0, 2).toString('hex') || 'an empty value'}`);
    }
    const fingerprintHex = bytes.subarray(2, HEADER_BYTES).toString('hex');
    const writer = this.catalog.byFingerprintHex(fingerprintHex);
    if (!writer) throw new KcostError('UNKNOWN_SCHEMA', `no known schema has fingerprint ${fingerprintHex}`);
    try {
      const reader = this.catalog.writer(writer.name).type;
      const value = reader.fromBuffer(bytes.subarray(HEADER_BYTES), this.catalog.resolverFor(writer)) as RecordTypes[SchemaName];
      return { schema: writer.name, value };
    } catch (error) {
      throw undecodable(`${writer.name} body does not decode: ${(error as Error).message}`, error);
    }
  }

  async decodeAs<N extends SchemaName>(schema: N, bytes: Buffer): Promise<RecordTypes[N]> {
    const decoded = await this.decode(bytes);
    if (decoded.schema !== schema) throw unexpectedSchema(schema, decoded.schema);
    return decoded.value as RecordTypes[N];
  }
}
