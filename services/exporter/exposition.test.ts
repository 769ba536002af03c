import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../test/exporter/prometheus-text.js';
import { escapeHelp, escapeLabelValue, formatValue, renderHeader, renderLabels } from './exposition.js';
import { SeriesFamily } from './series-family.js';

describe('escapeLabelValue', () => {
  it.each([
    ['plain', 'plain'],
    ['say "hi"', 'say \\"hi\\"'],
    ['C:\\dir', 'C:\\\\dir'],
    ['two\nlines', 'two\\nlines'],
    ['\\"\n', '\\\\\\"\\n'],
    ['', ''],
  ])('escapes %j as %j', (raw, escaped) => {
    expect(escapeLabelValue(raw)).toBe(escaped);
  });

  it('gives the same answer on repeated calls (no regex state carried between values)', () => {
    expect([escapeLabelValue('a"b'), escapeLabelValue('a"b'), escapeLabelValue('a"b')]).toEqual(['a\\"b', 'a\\"b', 'a\\"b']);
  });
});

describe('formatValue', () => {
  it.each([
    [0, '0'],
    [1.5, '1.5'],
    [1e-9, '1e-9'],
    [-2, '-2'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [Number.NaN, 'NaN'],
  ])('writes %d as %s', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });
});

describe('rendered families', () => {
  it('round-trip awkward label values and help text through a Prometheus text parser', () => {
    const family = new SeriesFamily('kube_cost_test_usd', 'Help with a \\ backslash\nand a second line.', 'gauge');
    const values = ['eu "west"', 'C:\\x\\y', 'line1\nline2'];
    family.set('k', renderLabels(['a', 'b', 'c'], values), 0.125);
    const parsed = parseExposition(family.render());
    expect(parsed.get('kube_cost_test_usd')).toEqual({
      help: 'Help with a \\ backslash\nand a second line.',
      type: 'GAUGE',
      samples: [{ labels: { a: values[0], b: values[1], c: values[2] }, value: 0.125 }],
    });
  });

  it('opens each family with its HELP and TYPE lines', () => {
    expect(renderHeader('x_total', 'Counts x.', 'counter')).toBe('# HELP x_total Counts x.\n# TYPE x_total counter\n');
    expect(escapeHelp('a\\b\nc "d"')).toBe('a\\\\b\\nc "d"');
  });

  it('renders nothing for a family without series, and re-renders after a change', () => {
    const family = new SeriesFamily('kube_cost_test_usd', 'Test.', 'gauge');
    expect(family.render()).toBe('');
    family.set('a', renderLabels(['k'], ['a']), 1);
    family.set('b', renderLabels(['k'], ['b']), 2);
    expect(family.render()).toBe('# HELP kube_cost_test_usd Test.\n# TYPE kube_cost_test_usd gauge\nkube_cost_test_usd{k="a"} 1\nkube_cost_test_usd{k="b"} 2\n');
    family.set('a', renderLabels(['k'], ['a']), 3);
    family.delete('b');
    expect(family.render()).toBe('# HELP kube_cost_test_usd Test.\n# TYPE kube_cost_test_usd gauge\nkube_cost_test_usd{k="a"} 3\n');
  });
});

describe('SeriesFamily shards', () => {
  it('renders exactly the live series after many sets and deletes across shards', () => {
    const family = new SeriesFamily('kube_cost_test_usd', 'Test.', 'gauge');
    const model = new Map<string, number>();
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let step = 0; step < 20_000; step++) {
      const key = `s${next() % 3000}`;
      if (next() % 4 === 0) {
        family.delete(key);
        model.delete(key);
      } else {
        const value = next() % 1000;
        family.set(key, renderLabels(['k'], [key]), value);
        model.set(key, value);
      }
      // Scrape now and then, so cached shards must be invalidated by later changes.
      if (step % 997 === 0) family.chunks();
    }
    const samples = parseExposition(family.render()).get('kube_cost_test_usd')?.samples ?? [];
    expect(new Map(samples.map((s) => [s.labels.k as string, s.value]))).toEqual(model);
    expect(family.size).toBe(model.size);
  });
});
