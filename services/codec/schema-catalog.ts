import avro from 'avsc';
import { rabinFingerprint } from './rabin-fingerprint.js';
import { currentSchemas, releasedSchemas, type SchemaName } from './records.generated.js';

/** One schema version the codec can read: its name, avsc type and fingerprint. */
export interface SchemaVersion {
  readonly name: SchemaName;
  readonly type: avro.Type;
  /** CRC-64-AVRO of the Parsing Canonical Form, hex, as it appears little-endian on the wire. */
  readonly fingerprintHex: string;
}

/** Parses one standalone schema. */
export function parseSchema(schema: object): avro.Type {
  // Every union in the kcost schemas is ["null", T]; unwrapped they read as `T | null`.
  // The options object must be new each call: avsc keeps its registry of named types in it.
  return avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'never' });
}

export function fingerprintOf(type: avro.Type): Buffer {
  return rabinFingerprint(JSON.stringify(type.schema()));
}

/**
 * The schemas kcost writes (the current version of each) and every version it
 * can read (current plus released), indexed by fingerprint. Readers always
 * resolve to the current version, so callers see one record shape.
 */
export class SchemaCatalog {
  private readonly current = new Map<SchemaName, SchemaVersion>();
  private readonly byFingerprint = new Map<string, SchemaVersion>();
  private readonly resolvers = new Map<string, avro.Resolver>();

  constructor(
    current: Readonly<Record<string, object>> = currentSchemas,
    released: Readonly<Partial<Record<string, object[]>>> = releasedSchemas,
  ) {
    for (const [name, schema] of Object.entries(current)) {
      const version = this.add(name as SchemaName, schema);
      this.current.set(version.name, version);
    }
    for (const [name, versions] of Object.entries(released)) {
      for (const schema of versions ?? []) this.add(name as SchemaName, schema);
    }
  }

  names(): SchemaName[] {
    return [...this.current.keys()];
  }

  /** The version kcost writes for `name`. */
  writer(name: SchemaName): SchemaVersion {
    const version = this.current.get(name);
    if (!version) throw new Error(`unknown schema ${name}`);
    return version;
  }

  /** The version with this fingerprint, or undefined when kcost does not know it. */
  byFingerprintHex(fingerprintHex: string): SchemaVersion | undefined {
    return this.byFingerprint.get(fingerprintHex);
  }

  /** Resolver from a writer version to the current version of the same schema. */
  resolverFor(writer: SchemaVersion): avro.Resolver | undefined {
    const reader = this.writer(writer.name);
    if (reader.fingerprintHex === writer.fingerprintHex) return undefined;
    let resolver = this.resolvers.get(writer.fingerprintHex);
    if (!resolver) {
      resolver = reader.type.createResolver(writer.type);
      this.resolvers.set(writer.fingerprintHex, resolver);
    }
    return resolver;
  }

  private add(name: SchemaName, schema: object): SchemaVersion {
    const type = parseSchema(schema);
    const version = { name, type, fingerprintHex: fingerprintOf(type).toString('hex') };
    this.byFingerprint.set(version.fingerprintHex, version);
    return version;
  }
}
