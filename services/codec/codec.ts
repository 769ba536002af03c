import type { RecordTypes, SchemaName } from './records.generated.js';

/** A decoded record with the name of the schema it was written with. */
export interface Decoded<N extends SchemaName = SchemaName> {
  readonly schema: N;
  readonly value: RecordTypes[N];
}

/**
 * Turns kcost records into Kafka message values and back. Two framings
 * implement it: Avro single-object encoding (the default, self-describing by
 * fingerprint) and Confluent framing with a schema registry.
 * decode() rejects bytes it cannot read with a KcostError whose code is one
 * of UNDECODABLE, UNKNOWN_SCHEMA or UNEXPECTED_SCHEMA.
 */
export interface Codec {
  encode<N extends SchemaName>(schema: N, value: RecordTypes[N]): Promise<Buffer>;
  decode(bytes: Buffer): Promise<Decoded>;
  /** decode(), then checks that the record is of the expected schema. */
  decodeAs<N extends SchemaName>(schema: N, bytes: Buffer): Promise<RecordTypes[N]>;
}
