// The JSON Schema (OpenAPI 3.1) of an Avro record as it travels in JSON: field
// names and nesting as in the .avsc, so /openapi.json documents exactly what a
// topic consumer decodes, from the contract itself rather than a copy of it.

type AvroType = string | AvroType[] | { readonly type: string; readonly [key: string]: unknown };
type AvroField = { readonly name: string; readonly type: AvroType; readonly doc?: string };

/** A JSON Schema object. */
export type JsonSchema = Record<string, unknown>;

/**
 * Converts an Avro schema to JSON Schema: records become objects with every
 * field required (Avro writes them all), enums string enums, unions anyOf,
 * maps objects, longs and ints integers (timestamp-millis: epoch
 * milliseconds), docs descriptions. Named types are inlined where used.
 */
export function avroToJsonSchema(schema: AvroType): JsonSchema {
  return convert(schema, new Map());
}

function convert(schema: AvroType, named: Map<string, AvroType>): JsonSchema {
  if (Array.isArray(schema)) return { anyOf: schema.map((branch) => convert(branch, named)) };
  if (typeof schema === 'string') {
    const primitive = PRIMITIVES[schema];
    if (primitive) return { ...primitive };
    const definition = named.get(schema) ?? named.get(schema.split('.').pop() ?? schema);
    if (definition === undefined) throw new Error(`Avro type ${schema} is used before it is defined`);
    return convert(definition, named);
  }
  const doc = typeof schema.doc === 'string' ? { description: schema.doc } : {};
  switch (schema.type) {
    case 'record': {
      named.set(String(schema.name), schema);
      const fields = schema.fields as readonly AvroField[];
      return {
        type: 'object',
        ...doc,
        properties: Object.fromEntries(fields.map((f) => [f.name, described(convert(f.type, named), f.doc)])),
        required: fields.map((f) => f.name),
      };
    }
    case 'enum':
      named.set(String(schema.name), schema);
      return { type: 'string', ...doc, enum: [...(schema.symbols as string[])] };
    case 'array':
      return { type: 'array', ...doc, items: convert(schema.items as AvroType, named) };
    case 'map':
      return { type: 'object', ...doc, additionalProperties: convert(schema.values as AvroType, named) };
    case 'fixed':
      named.set(String(schema.name), schema);
      return { type: 'string', ...doc };
    default:
      if (schema.logicalType === 'timestamp-millis') return { type: 'integer', description: EPOCH_MILLIS };
      return convert(schema.type, named);
  }
}

/** A field's doc as its description, keeping what the type adds to it (the unit of a timestamp). */
function described(type: JsonSchema, doc: string | undefined): JsonSchema {
  if (!doc) return type;
  return { ...type, description: type.description === EPOCH_MILLIS ? `${doc} ${EPOCH_MILLIS}` : doc };
}

const EPOCH_MILLIS = 'Epoch milliseconds.';

const PRIMITIVES: Readonly<Record<string, JsonSchema>> = {
  null: { type: 'null' },
  boolean: { type: 'boolean' },
  int: { type: 'integer' },
  long: { type: 'integer' },
  float: { type: 'number' },
  double: { type: 'number' },
  string: { type: 'string' },
  bytes: { type: 'string' },
};
