import { describe, expect, it } from 'vitest';
import { COPY_NULL, escapeCopyText, fieldEncoder, textArrayLiteral } from './copy-text.js';

describe('COPY text encoding', () => {
  it.each([
    ['plain', 'plain'],
    ['tab\there', 'tab\\there'],
    ['line\nbreak\r', 'line\\nbreak\\r'],
    ['back\\slash', 'back\\\\slash'],
  ])('escapes %j', (raw, escaped) => {
    expect(escapeCopyText(raw)).toBe(escaped);
  });

  it.each([
    ['text', null, COPY_NULL],
    ['timestamptz', undefined, COPY_NULL],
    ['float8', 0.1 + 0.2, '0.30000000000000004'],
    ['float8', 1e-7, '1e-7'],
    ['int4', 60, '60'],
    ['int8', 9_007_199_254_740_991, '9007199254740991'],
    ['timestamptz', Date.UTC(2026, 10, 22, 13, 5), '2026-11-22T13:05:00.000Z'],
    ['jsonb', { app: 'a\tb', team: 'x"y' }, '{"app":"a\\\\tb","team":"x\\\\"y"}'],
    ['text[]', ['SCALED', 'GAP'], '{"SCALED","GAP"}'],
    ['text[]', [], '{}'],
  ] as const)('encodes a %s value', (kind, value, expected) => {
    expect(fieldEncoder(kind)(value)).toBe(expected);
  });

  it('quotes array elements so commas, quotes and braces survive', () => {
    expect(textArrayLiteral(['a,b', 'c"d', '{e}', 'f\\g'])).toBe('{"a,b","c\\"d","{e}","f\\\\g"}');
  });
});
