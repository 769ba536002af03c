import { KcostError } from '../errors/kcost-error.js';
import type { SchemaName } from './records.generated.js';

export function undecodable(reason: string, cause?: unknown): KcostError {
  return new KcostError('UNDECODABLE', reason, { cause });
}

export function unexpectedSchema(expected: SchemaName, actual: SchemaName): KcostError {
  return new KcostError('UNEXPECTED_SCHEMA', `expected a ${expected} record, got a ${actual} record`);
}

export function invalidRecord(schema: SchemaName, paths: string[]): KcostError {
  return new KcostError('INVALID_RECORD', `${schema} record does not match its schema at ${paths.join(', ') || '(root)'}`);
}
