import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/settings.js';
import { forecastSettings } from '../forecast/forecast-settings.js';
import { topicsRole } from '../kafka/topics-role.js';
import { recommendSettings } from '../recommender/recommend-settings.js';
import { sinkSettings } from '../sink/sink-settings.js';
import { planUp } from './up-plan.js';
import { upSettings } from './up-settings.js';

const NOW = Date.UTC(2026, 10, 22, 12, 30, 15);
const configOf = (argv: string[]) => resolveConfig(upSettings, { argv, env: {} }).config;
const flag = (argv: readonly string[], name: string) => argv[argv.indexOf(name) + 1];

describe('planUp', () => {
  it('creates topics and migrates before any service starts', () => {
    expect(planUp(configOf([]), NOW).setup.map((argv) => argv[0])).toEqual(['topics', 'migrate']);
  });

  it('gives every role a port of its own', () => {
    const plan = planUp(configOf(['--simulate']), NOW);
    const ports = [...plan.services, ...plan.feeders.slice(0, 1)].map((argv) => flag(argv, argv.includes('--port') ? '--port' : '--health-port'));
    expect(new Set(ports).size).toBe(ports.length);
    expect(plan.services.find((a) => a[0] === 'api')).toContain('8080');
    expect(flag(plan.services.find((a) => a[0] === 'export')!, '--health-port')).toBe('9100');
  });

  it('names every port it will listen on, each once', () => {
    for (const argv of [['--simulate'], []]) {
      const plan = planUp(configOf(argv), NOW);
      const listened = [...plan.services, ...plan.feeders.slice(0, 1)].map((a) => Number(flag(a, a.includes('--port') ? '--port' : '--health-port')));
      expect(plan.ports.map((p) => p.port).sort()).toEqual([...new Set(listened)].sort());
    }
    expect(planUp(configOf(['--api-port', '8181']), NOW).ports[0]).toEqual({ port: 8181, what: 'query API', flag: '--api-port' });
  });

  it('has the sink load the prices topic, so estimates and /v1/prices see the prices', () => {
    expect(flag(planUp(configOf(['--simulate']), NOW).services.find((a) => a[0] === 'sink')!, '--prices-topic')).toBe('kcost.prices.v1');
  });

  it('has the sink load the recommendations topic, so /v1/recommendations and kubectl cost recommendations see the advice', () => {
    const sink = planUp(configOf(['--simulate', '--database-url', 'postgres://127.0.0.1:5432/kcost']), NOW).services.find((a) => a[0] === 'sink')!;
    const { config } = resolveConfig(sinkSettings, { argv: sink.slice(1), env: {} });
    expect(config.recommendationsTopic).toBe('kcost.recommendations.v1');
  });

  it('runs kcost forecast on the database with a health port of its own, reading budget labels from the kube topic', () => {
    const config = configOf(['--simulate', '--first-health-port', '9600', '--database-url', 'postgres://kcost@db.example:5432/kcost']);
    const plan = planUp(config, NOW);
    const forecast = plan.services.find((a) => a[0] === 'forecast')!;
    expect(plan.ports).toContainEqual({ port: Number(flag(forecast, '--health-port')), what: 'forecast health', flag: '--first-health-port' });
    const resolved = resolveConfig(forecastSettings, { argv: forecast.slice(1), env: {} }).config;
    expect([resolved.databaseUrl, resolved.kubeTopic, resolved.brokers]).toEqual([config.databaseUrl, 'kcost.kube.v1', config.brokers]);
  });

  it('runs kcost recommend with a health port of its own, in the group whose internal topics kcost topics creates first', () => {
    const plan = planUp(configOf(['--simulate', '--first-health-port', '9600']), NOW);
    const recommend = plan.services.find((a) => a[0] === 'recommend')!;
    expect(plan.ports).toContainEqual({ port: Number(flag(recommend, '--health-port')), what: 'recommender health', flag: '--first-health-port' });
    const topics = plan.setup.find((a) => a[0] === 'topics')!;
    const groupId = resolveConfig(recommendSettings, { argv: recommend.slice(1), env: {} }).config.groupId;
    expect(resolveConfig(topicsRole.settings, { argv: topics.slice(1), env: {} }).config.recommenderGroupId).toBe(groupId);
  });

  it('with --simulate backfills up to the current minute at full speed, then goes on in real time from there', () => {
    const [backfill, realtime] = planUp(configOf(['--simulate', '--backfill', '2h']), NOW).feeders;
    expect(flag(backfill!, '--speed')).toBe('max');
    expect(flag(backfill!, '--start')).toBe('2026-11-22T10:30:00.000Z');
    expect(flag(backfill!, '--duration')).toBe('7200s');
    expect(flag(realtime!, '--speed')).toBe('realtime');
    expect(flag(realtime!, '--start')).toBe('2026-11-22T12:30:00.000Z');
  });

  it('skips the backfill when the topics already hold usage, which the processor would refuse as late', () => {
    const feeders = planUp(configOf(['--simulate']), NOW, false).feeders;
    expect(feeders.map((argv) => flag(argv, '--speed'))).toEqual(['realtime']);
  });

  it('without --simulate runs the three collectors instead', () => {
    const plan = planUp(configOf([]), NOW);
    expect(plan.feeders).toEqual([]);
    expect(plan.services.filter((a) => a[0] === 'collect').map((a) => a[1])).toEqual(['kube', 'usage', 'prices']);
  });

  it('passes the brokers and database to the roles that need them', () => {
    const plan = planUp(configOf(['--brokers', 'k:1', '--database-url', 'postgres://db/x']), NOW);
    expect(flag(plan.services.find((a) => a[0] === 'sink')!, '--brokers')).toBe('k:1');
    expect(flag(plan.services.find((a) => a[0] === 'api')!, '--database-url')).toBe('postgres://db/x');
  });
});
