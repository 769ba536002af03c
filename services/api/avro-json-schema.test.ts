import { describe, expect, it } from 'vitest';
import { currentSchemas } from '../codec/records.generated.js';
import { avroToJsonSchema, type JsonSchema } from './avro-json-schema.js';

const schema = avroToJsonSchema(currentSchemas.Recommendation as never);
const at = (root: JsonSchema, ...path: string[]): JsonSchema =>
  path.reduce<JsonSchema>((node, name) => {
    const anyOf = node.anyOf as JsonSchema[] | undefined;
    const object = anyOf ? (anyOf.find((b) => b.type === 'object') as JsonSchema) : node;
    return (object.properties as Record<string, JsonSchema>)[name] as JsonSchema;
  }, root);

describe('avroToJsonSchema', () => {
  it('makes every field of a record a required property, nested records included', () => {
    const fields = (currentSchemas.Recommendation as { fields: Array<{ name: string }> }).fields.map((f) => f.name);
    expect(schema).toMatchObject({ type: 'object', required: fields });
    expect(at(schema, 'saving')).toMatchObject({ type: 'object', required: ['currentMonthlyUsd', 'recommendedMonthlyUsd', 'monthlySavingsUsd', 'priceSources'] });
  });

  it('turns enums into string enums, named types used again inlined, and nullable unions into anyOf with null', () => {
    expect(at(schema, 'risk')).toMatchObject({ type: 'string', enum: ['LOW', 'MEDIUM', 'HIGH'] });
    expect(at(schema, 'workloadResources').anyOf).toEqual([{ type: 'null' }, expect.objectContaining({ type: 'object' })]);
    // memory's type is the name ResourceAdvice, defined by cpu's.
    expect(at(schema, 'workloadResources', 'memory', 'action')).toMatchObject({ type: 'string', enum: ['CHANGE', 'KEEP', 'NONE'] });
    expect(at(schema, 'workloadResources', 'cpu', 'recommendedLimit').anyOf).toEqual([{ type: 'null' }, { type: 'number' }]);
    expect(at(schema, 'strategy', 'parameters')).toMatchObject({
      type: 'object',
      additionalProperties: { anyOf: [{ type: 'null' }, { type: 'boolean' }, { type: 'number' }, { type: 'string' }] },
    });
  });

  it('writes timestamps as integers of epoch milliseconds and keeps the field docs as descriptions', () => {
    expect(at(schema, 'generatedAt')).toMatchObject({ type: 'integer' });
    expect(at(schema, 'generatedAt').description).toMatch(/^Event time of the newest usage .* Epoch milliseconds\.$/);
    expect(at(schema, 'workloadResources', 'evidence', 'sampleCount')).toMatchObject({ type: 'integer' });
  });
});
