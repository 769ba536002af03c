import { describe, expect, it } from 'vitest';
import { NamespaceProjections, type NamespaceForecast } from './namespace-projections.js';

const DAY = 86_400_000;
const NOV = Date.UTC(2026, 10, 1);
const shop: NamespaceForecast = { cluster: 'prod', namespace: 'shop', monthStartMillis: NOV, firstForecastDayMillis: NOV + 19 * DAY, actualUsd: 1900, dailyUsd: Array.from({ length: 31 }, () => 100) };

const sample = (text: string, name: string) => Number(new RegExp(`^${name}\\{cluster="prod",namespace="shop"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
const render = (p: NamespaceProjections) => [p.projected, p.monthToDate].flatMap((f) => f.chunks()).map((b) => b.toString()).join('');

describe('namespace projections', () => {
  it('adds the forecast of the month\'s remaining days to its whole days so far, and today\'s spend to the month so far', () => {
    const projections = new NamespaceProjections();
    projections.setForecasts([shop]);
    projections.refresh(() => ({ dayMillis: NOV + 19 * DAY, usd: 40 }), NOV + 19 * DAY + 3_600_000);
    const text = render(projections);
    // 19 days at 100, then 11 forecast days at 100 (today's 40 so far is below today's forecast).
    expect(sample(text, 'kube_cost_namespace_projected_monthly_usd')).toBe(3000);
    expect(sample(text, 'kube_cost_namespace_month_to_date_usd')).toBe(1940);
  });

  it('lets a costly day raise the projection at once', () => {
    const projections = new NamespaceProjections();
    projections.setForecasts([shop]);
    projections.refresh(() => ({ dayMillis: NOV + 19 * DAY, usd: 450 }), NOV + 19 * DAY);
    expect(sample(render(projections), 'kube_cost_namespace_projected_monthly_usd')).toBe(3350);
  });

  it('counts days passed since the fetch at their forecast, and shows nothing once the month is over', () => {
    const projections = new NamespaceProjections();
    projections.setForecasts([shop]);
    projections.refresh(() => ({ dayMillis: NOV + 21 * DAY, usd: 10 }), NOV + 21 * DAY);
    expect(sample(render(projections), 'kube_cost_namespace_month_to_date_usd')).toBe(1900 + 200 + 10);
    projections.refresh(() => ({ dayMillis: NOV + 30 * DAY, usd: 10 }), NOV + 30 * DAY);
    expect(render(projections)).not.toContain('namespace="shop"');
  });

  it('drops a namespace the next fetch no longer has', () => {
    const projections = new NamespaceProjections();
    projections.setForecasts([shop]);
    projections.refresh(() => undefined, NOV + 19 * DAY);
    expect(render(projections)).toContain('namespace="shop"');
    projections.setForecasts([]);
    expect(render(projections)).not.toContain('namespace="shop"');
  });
});
