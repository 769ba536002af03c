import { describe, expect, it } from 'vitest';
import { behind, figuresOf, metricSum, renderSummary } from './pipeline-summary.js';

const PROCESSOR = [
  '# HELP kcost_records_consumed_total Records read from Kafka',
  '# TYPE kcost_records_consumed_total counter',
  'kcost_records_consumed_total{service="process",topic="kcost.usage.v1"} 1200',
  'kcost_records_consumed_total{service="process",topic="kcost.kube.v1"} 80',
  'kcost_records_consumed_total{service="process",topic="kcost.usage.v1",partition="1"} 34',
  'kcost_process_pod_costs_total 1100',
  'kcost_process_watermark_seconds 1764626400',
].join('\n');
const SINK = ['kcost_sink_rows_loaded_total{table="PodCost"} 1000', 'kcost_sink_rows_loaded_total{table="NodeCost"} 60'].join('\n');

describe('the live summary of kcost up', () => {
  it('sums the samples of a metric that carry the labels asked for', () => {
    expect(metricSum(PROCESSOR, 'kcost_records_consumed_total', { topic: 'kcost.usage.v1' })).toBe(1234);
    expect(metricSum(PROCESSOR, 'kcost_records_consumed_total')).toBe(1314);
    expect(metricSum(PROCESSOR, 'kcost_records_consumed')).toBeNull();
  });

  it('says what came in, what went out, what is left to load and how far behind costs are', () => {
    const figures = figuresOf(PROCESSOR, SINK, 1234);
    expect(figures).toEqual({ samplesIn: 1234, costsOut: 1100, rowsLoaded: 1000, watermarkSeconds: 1764626400 });
    expect(renderSummary(figures, (1764626400 + 150) * 1000, 'http://127.0.0.1:8080/v1/allocation')).toBe(
      'kcost: 1,234 usage samples in, 1,100 pod costs out, 1,000 in the database (100 to load), costs up to 3m ago; http://127.0.0.1:8080/v1/allocation',
    );
    expect(renderSummary(figuresOf('', '', 0), 0, 'u')).toContain('0 usage samples in, 0 pod costs out, 0 in the database (0 to load), no window priced yet');
  });

  it.each([
    [30, '30s'],
    [600, '10m'],
    [7200, '2.0h'],
    [-5, '0s'],
  ])('%d s behind reads %s', (seconds, text) => {
    expect(behind(seconds)).toBe(text);
  });
});
