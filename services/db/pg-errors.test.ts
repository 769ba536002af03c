import { describe, expect, it } from 'vitest';
import { classifyDbError } from './pg-errors.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('database error classes', () => {
  it.each([
    ['08006', 'transient'],
    ['40001', 'transient'],
    ['40P01', 'transient'],
    ['57P01', 'transient'],
    ['55000', 'transient'],
    ['57P03', 'transient'],
    ['53300', 'transient'],
    ['ECONNREFUSED', 'transient'],
    ['22P02', 'data'],
    ['22021', 'data'],
    ['23514', 'data'],
    ['54000', 'data'],
    ['42P01', 'fatal'],
    ['42601', 'fatal'],
  ])('SQLSTATE %s is %s', (code, kind) => {
    expect(classifyDbError(withCode(code))).toBe(kind);
  });

  it('treats a dropped connection without a code as transient', () => {
    expect(classifyDbError(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(classifyDbError(new Error('boom'))).toBe('fatal');
  });
});
