import { describe, expect, it } from 'vitest';
import { expandShortFlags } from './short-flags.js';

const KUBECTL = { '-n': '--namespace', '-o': '--output', '-f': '--filename' };

describe('expandShortFlags', () => {
  it.each([
    [['pod', '-n', 'web', '-o', 'json'], ['pod', '--namespace', 'web', '--output', 'json']],
    [['pod', '-nweb', '-o=csv'], ['pod', '--namespace', 'web', '--output', 'csv']],
    [['estimate', '-f', 'm.yaml', '--max-monthly-usd', '10'], ['estimate', '--filename', 'm.yaml', '--max-monthly-usd', '10']],
    [['label', 'app', '--window', '7d', '-h'], ['label', 'app', '--window', '7d', '-h']],
    [['pod', '-x', '1', '--node-count', '3'], ['pod', '-x', '1', '--node-count', '3']],
  ])('%j', (argv, expected) => {
    expect(expandShortFlags(argv, KUBECTL)).toEqual(expected);
  });
});
