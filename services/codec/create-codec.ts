import type { Codec } from './codec.js';
import { ConfluentCodec } from './confluent-codec.js';
import { SchemaCatalog } from './schema-catalog.js';
import { SingleObjectCodec } from './single-object-codec.js';

/** Single-object encoding unless a schema registry URL is configured. */
export function createCodec(options: { schemaRegistryUrl: string }, catalog = new SchemaCatalog()): Codec {
  return options.schemaRegistryUrl ? new ConfluentCodec(catalog, options.schemaRegistryUrl) : new SingleObjectCodec(catalog);
}
