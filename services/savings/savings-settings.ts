import { kafkaSettings, processSettings } from '../config/common-settings.js';
import { parseBoolean, parseDurationMillis, parseString } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { databaseSettings } from '../db/db-settings.js';
import { TOPICS } from '../kafka/topics.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const parseFraction = (raw: string): number => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 1) throw new Error(`${JSON.stringify(raw)} is not a fraction above 0 and at most 1, such as 0.8`);
  return value;
};

const parseDiscount = (raw: string): number | null => {
  if (raw.trim() === '') return null;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value >= 1) throw new Error(`${JSON.stringify(raw)} is not a discount from 0 up to (not including) 1, such as 0.27`);
  return value;
};

const parseLookback = (raw: string): number => {
  const millis = parseDurationMillis(raw);
  if (![7 * DAY, 30 * DAY, 60 * DAY].includes(millis)) throw new Error(`${JSON.stringify(raw)} is not one of the lookbacks 7d, 30d or 60d`);
  return millis;
};

/** Settings of `kcost savings`. */
export const savingsSettings = {
  ...kafkaSettings,
  ...processSettings,
  ...databaseSettings,
  kubeTopic: setting('kubeTopic', { description: 'Topic of the KubeObject records (node pools, disruption budgets, replicas, local volumes).', default: TOPICS.kube.name, parse: parseString }),
  recommendationsTopic: setting('recommendationsTopic', { description: 'Topic the Recommendation records and tombstones go to.', default: TOPICS.recommendations.name, parse: parseString }),
  interval: setting('interval', {
    description: 'How often the advice is worked out again from the newest stored hour (e.g. 15m, 1h).',
    default: HOUR,
    defaultLabel: '1h',
    parse: parseDurationMillis,
  }),
  once: setting('once', { description: 'Work out the advice once, publish it, and exit (for a CronJob).', default: false, parse: parseBoolean, isSwitch: true }),
  headroom: setting('headroom', {
    description: 'Most a proposed node may be allocated, per resource, as a fraction (0.8: at least 20 % free for bursts and rollouts).',
    default: 0.8,
    parse: parseFraction,
  }),
  commitmentLookback: setting('commitmentLookback', {
    description: 'On-demand spend history the commitment simulation reads: 7d, 30d or 60d (the lookbacks AWS offers).',
    default: 30 * DAY,
    defaultLabel: '30d',
    parse: parseLookback,
  }),
  spotLookback: setting('spotLookback', { description: 'Spot price history averaged for spot savings.', default: 7 * DAY, defaultLabel: '7d', parse: parseDurationMillis }),
  commitmentDiscount1y: setting('commitmentDiscount1y', {
    description: "Discount of a 1-year commitment, as a fraction of on-demand (0.3: 30 % off); empty uses kcost's documented assumption for the provider (docs/savings.md).",
    default: null as number | null,
    defaultLabel: '(per provider)',
    parse: parseDiscount,
  }),
  commitmentDiscount3y: setting('commitmentDiscount3y', {
    description: "Discount of a 3-year commitment, as a fraction of on-demand; empty uses kcost's documented assumption for the provider.",
    default: null as number | null,
    defaultLabel: '(per provider)',
    parse: parseDiscount,
  }),
  kubeCatchUpTimeout: setting('kubeCatchUpTimeout', {
    description: 'Longest wait at start for kcost.kube.v1 to be read up to its end before the first advice.',
    default: 60_000,
    defaultLabel: '1m',
    parse: parseDurationMillis,
  }),
};
