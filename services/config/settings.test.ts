import { describe, expect, it } from 'vitest';
import { KcostError } from '../errors/kcost-error.js';
import { parseBrokers, parseDurationMillis, parseInteger } from './parsers.js';
import { envName, flagName, renderFlags, resolveConfig, setting } from './settings.js';

const spec = {
  brokers: setting('brokers', { description: 'Kafka brokers.', default: ['127.0.0.1:9092'], parse: parseBrokers, envAliases: ['KAFKA_BROKERS'] }),
  maxBatchRows: setting('maxBatchRows', { description: 'Rows per batch.', default: 5000, parse: parseInteger(1, 1_000_000) }),
  flushIntervalMillis: setting('flushIntervalMillis', { description: 'Flush interval.', default: 1000, parse: parseDurationMillis }),
};

function errorOf(run: () => unknown): KcostError {
  try {
    run();
  } catch (error) {
    if (error instanceof KcostError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('resolveConfig', () => {
  it('takes the flag over the environment over the default', () => {
    const env = { KCOST_MAX_BATCH_ROWS: '200', KAFKA_BROKERS: 'kafka:9092' };
    expect(resolveConfig(spec, { argv: ['--max-batch-rows', '300'], env }).config).toEqual({
      brokers: ['kafka:9092'],
      maxBatchRows: 300,
      flushIntervalMillis: 1000,
    });
    expect(resolveConfig(spec, { argv: [], env }).config.maxBatchRows).toBe(200);
    expect(resolveConfig(spec, { argv: [], env: {} }).config.maxBatchRows).toBe(5000);
  });

  it('prefers KCOST_BROKERS to its alias KAFKA_BROKERS', () => {
    const env = { KCOST_BROKERS: 'a:1', KAFKA_BROKERS: 'b:2' };
    expect(resolveConfig(spec, { argv: [], env }).config.brokers).toEqual(['a:1']);
  });

  it('returns a frozen config', () => {
    const { config } = resolveConfig(spec, { argv: [], env: {} });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [['--max-batch-rows', 'many'], {}, /invalid value "many" for --max-batch-rows: expected a whole number/],
    [[], { KCOST_MAX_BATCH_ROWS: '0' }, /invalid value "0" for KCOST_MAX_BATCH_ROWS: expected a whole number from 1/],
    [['--brokers', 'localhost'], {}, /--brokers: expected host:port pairs, and "localhost" is not one/],
    [['--flush-interval-millis', 'soon'], {}, /--flush-interval-millis: expected a duration/],
    [['--no-such-flag', 'x'], {}, /Unknown option '--no-such-flag'/],
  ])('rejects %j %j naming the setting and the value', (argv, env, message) => {
    const error = errorOf(() => resolveConfig(spec, { argv, env }));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(message);
  });

  it('reads durations with units', () => {
    expect(resolveConfig(spec, { argv: ['--flush-interval-millis', '2s'], env: {} }).config.flushIntervalMillis).toBe(2000);
    expect(parseDurationMillis('24h')).toBe(86_400_000);
  });

  it('keeps positional arguments apart from flags', () => {
    expect(resolveConfig(spec, { argv: ['kube', '--max-batch-rows', '7'], env: {} }).positionals).toEqual(['kube']);
  });
});

describe('renderFlags', () => {
  it('lists every flag with its environment variables and default', () => {
    const text = renderFlags(spec);
    for (const key of Object.keys(spec)) {
      expect(text).toContain(`--${flagName(key)}`);
      expect(text).toContain(envName(key));
    }
    expect(text).toContain('env: KCOST_BROKERS, KAFKA_BROKERS; default: 127.0.0.1:9092');
  });
});
