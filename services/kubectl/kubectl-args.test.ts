import { describe, expect, it } from 'vitest';
import { kubectlArgs } from './kubectl-args.js';

describe('kubectlArgs', () => {
  it.each([
    [['pod', '-n', 'web', '-o', 'json'], ['pod', '--namespace', 'web', '--output', 'json']],
    [['pod', '-nweb', '-o=csv'], ['pod', '--namespace', 'web', '--output', 'csv']],
    [['estimate', '-f', 'm.yaml', '--max-monthly-usd', '10'], ['estimate', '--filename', 'm.yaml', '--max-monthly-usd', '10']],
    [['label', 'app', '--window', '7d', '-h'], ['label', 'app', '--window', '7d', '-h']],
  ])('%j', (argv, expected) => {
    expect(kubectlArgs(argv)).toEqual(expected);
  });
});
