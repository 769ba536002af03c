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
  constructor(private readonly catalog: SchemaCatalog) {}

  async encode<N extends SchemaName>(schema: N, value: RecordTypes[N]): Promise<Buffer> {
    return this.encodeSync(schema, value);
  }

  encodeSync<N extends SchemaName>(schema: N, value: RecordTypes[N]): Buffer {
    const writer = this.catalog.writer(schema);
    const paths: string[] = [];
    if (!writer.type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) })) throw invalidRecord(schema, paths);
    return Buffer.concat([MARKER, Buffer.from(writer.fingerprintHex, 'hex'), writer.type.toBuffer(value)]);
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
