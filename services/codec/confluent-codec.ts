import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { KcostError } from '../errors/kcost-error.js';
import type { Codec, Decoded } from './codec.js';
import { invalidRecord, undecodable, unexpectedSchema } from './codec-errors.js';
import type { RecordTypes, SchemaName } from './records.generated.js';
import type { SchemaCatalog } from './schema-catalog.js';

const MAGIC = 0x00;
const HEADER_BYTES = 5;

/**
 * Confluent wire framing: 0x00, a 4-byte big-endian schema id from the
 * registry, then the Avro binary body. Subjects follow the record-name
 * strategy (io.kcost.PodCost), so one subject serves every topic a schema
 * travels on. Reads resolve the writer schema to kcost's current version.
 */
export class ConfluentCodec implements Codec {
  private readonly registry: SchemaRegistry;
  private readonly idBySchema = new Map<SchemaName, Promise<number>>();
  private readonly writerById = new Map<number, Promise<{ name: SchemaName; resolver: avro.Resolver }>>();

  constructor(
    private readonly catalog: SchemaCatalog,
    registryUrl: string,
  ) {
    this.registry = new SchemaRegistry({ host: registryUrl, retry: { retries: 3 } });
  }

  async encode<N extends SchemaName>(schema: N, value: RecordTypes[N]): Promise<Buffer> {
    const writer = this.catalog.writer(schema);
    const paths: string[] = [];
    if (!writer.type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) })) throw invalidRecord(schema, paths);
    const id = await this.schemaId(schema);
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt8(MAGIC, 0);
    header.writeInt32BE(id, 1);
    return Buffer.concat([header, writer.type.toBuffer(value)]);
  }

  async decode(bytes: Buffer): Promise<Decoded> {
    if (bytes.length < HEADER_BYTES || bytes[0] !== MAGIC) {
      throw undecodable(`not Confluent-framed: expected magic byte 00, got ${bytes.subarray(0, 1).toString('hex') || 'an empty value'}`);
    }
    const id = bytes.readInt32BE(1);
    const { name, resolver } = await this.writerFor(id);
    const reader = this.catalog.writer(name);
    try {
      return { schema: name, value: reader.type.fromBuffer(bytes.subarray(HEADER_BYTES), resolver) as RecordTypes[SchemaName] };
    } catch (error) {
      throw undecodable(`${name} body (schema id ${id}) does not decode: ${(error as Error).message}`, error);
    }
  }

  async decodeAs<N extends SchemaName>(schema: N, bytes: Buffer): Promise<RecordTypes[N]> {
    const decoded = await this.decode(bytes);
    if (decoded.schema !== schema) throw unexpectedSchema(schema, decoded.schema);
    return decoded.value as RecordTypes[N];
  }

  private schemaId(schema: SchemaName): Promise<number> {
    let id = this.idBySchema.get(schema);
    if (!id) {
      const raw = this.catalog.writer(schema).type.schema({ exportAttrs: true });
      id = this.registry
        .register({ type: SchemaType.AVRO, schema: JSON.stringify(raw) }, { subject: `io.kcost.${schema}` })
        .then((registered) => registered.id);
      id.catch(() => this.idBySchema.delete(schema));
      this.idBySchema.set(schema, id);
    }
    return id;
  }

  private writerFor(id: number): Promise<{ name: SchemaName; resolver: avro.Resolver }> {
    let writer = this.writerById.get(id);
    if (!writer) {
      writer = this.registry.getSchema(id).then(
        (type) => {
          const writerType = type as unknown as avro.Type;
          const name = writerType.name?.split('.').pop() as SchemaName | undefined;
          if (!name || !this.catalog.names().includes(name)) {
            throw new KcostError('UNKNOWN_SCHEMA', `schema id ${id} is ${writerType.name ?? 'unnamed'}, not a kcost record`);
          }
          return { name, resolver: this.catalog.writer(name).type.createResolver(writerType) };
        },
        (error: unknown) => {
          this.writerById.delete(id);
          throw new KcostError('UNKNOWN_SCHEMA', `schema id ${id} cannot be fetched from the registry`, { cause: error, retriable: true });
        },
      );
      this.writerById.set(id, writer);
    }
    return writer;
  }
}
