import { describe, expect, it } from 'vitest';
import { parseFilter } from './filter.js';

describe('parseFilter', () => {
  it('parses clauses, several values, negation, label keys and escapes', () => {
    expect(parseFilter('namespace:"a","b" + cluster!:"dev"+label[app.kubernetes.io/name]:"we\\"b+,:"')).toEqual([
      { field: 'namespace', negated: false, values: ['a', 'b'] },
      { field: 'cluster', negated: true, values: ['dev'] },
      { field: 'label', labelKey: 'app.kubernetes.io/name', negated: false, values: ['we"b+,:'] },
    ]);
  });

  it('treats an empty filter as no clauses', () => {
    expect(parseFilter('  ')).toEqual([]);
  });

  it.each([
    ['namespace=a', /expected ":" at character 10/],
    ['owner:"x"', /unknown field "owner"/],
    ['namespace:a', /expected "\\"" at character 11/],
    ['namespace:"a', /unterminated quoted value at the end/],
    ['namespace:"a"+', /expected a field name at the end/],
    ['label[-bad-]:"x"', /not a Kubernetes label key/],
    ['pod:"a\\n"', /a backslash escapes only/],
  ])('rejects %s with the position and the grammar', (raw, message) => {
    expect(() => parseFilter(raw)).toThrow(message);
    expect(() => parseFilter(raw)).toThrow(/parameter "filter".*Grammar: clause/);
  });
});
