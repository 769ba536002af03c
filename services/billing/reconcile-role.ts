import { defineRole } from '../cli/role.js';
import { lazyRun } from '../cli/lazy-run.js';
import { reconcileSettings } from './reconcile-settings.js';

/** `kcost reconcile`: replaces list-price node costs by the billed effective cost and allocates out-of-cluster lines, per UTC day. */
export const reconcileRole = defineRole({
  name: 'reconcile',
  usage: 'reconcile [flags]',
  summary: 'Reconcile node costs with the cloud bill and allocate out-of-cluster costs, per UTC day.',
  description: [
    'Per node and UTC day, the billed EffectiveCost of the node\'s instance (billing_line.instance_id, matched with the node\'s providerID) replaces its list-price cost, and the pod and idle costs of that node-day are scaled by the same factor, so pods + idle = node still holds exactly; Savings Plans, reservations and spot rates land on the nodes they cover. Billing lines that are no node (databases, load balancers, egress, fees, discounts, credits) are allocated to clusters and namespaces by their tags, and what names no namespace is shared by --unattributed.',
    'Writes reconciled_node_cost_daily, reconciled_pod_cost_daily, external_cost_daily and reconciled_day (sql/0014), a day at a time in one transaction, whenever the day\'s billing lines or costs changed (a digest of them is stored per day): a restated day is recomputed and replaced, a day nothing changed in is left alone. Docs: docs/billing.md.',
    'Checks every --every (once with --every 0). Serves /healthz, /readyz (after the first pass) and /metrics on --health-port and stops cleanly on SIGTERM, after the day in hand.',
  ].join('\n\n'),
  settings: reconcileSettings,
  run: lazyRun(() => import('./reconcile-run.js')),
});
