import { apiRole } from '../api/api-role.js';
import { billRole } from '../collector/bill/bill-role.js';
import { kubeRole } from '../collector/kube/kube-role.js';
import { pricesRole } from '../collector/prices/prices-role.js';
import { usageRole } from '../collector/usage/usage-role.js';
import { costRole } from '../kubectl/cost-role.js';
import { installPluginRole } from '../kubectl/install-plugin-role.js';
import { migrateRole } from '../db/migrate-role.js';
import { processRole } from '../processor/process-role.js';
import { recommendRole } from '../recommender/recommend-role.js';
import { savingsRole } from '../savings/savings-role.js';
import { exportRole } from '../exporter/export-role.js';
import { forecastRole } from '../forecast/forecast-role.js';
import { reconcileRole } from '../billing/reconcile-role.js';
import { topicsRole } from '../kafka/topics-role.js';
import { simulateRole } from '../simulator/simulate-role.js';
import { sinkRole } from '../sink/sink-role.js';
import { upRole } from '../up/up-role.js';
import type { Role } from './role.js';

/** Roles whose code has not landed yet: they describe themselves and refuse to run. */
const planned = (name: string, usage: string, summary: string, description: string): Role => ({
  name,
  usage,
  summary,
  description,
  settings: {},
});

/**
 * Every `kcost` subcommand, in the order --help lists them. Each is a light
 * descriptor whose run() imports the role's run code when called (lazy-run.ts),
 * so that loading this list loads none of the roles' packages
 * (test/cli/role-modules.test.ts checks it).
 */
export const ROLES: readonly Role[] = [
  {
    ...planned('collect', 'collect <kube|usage|prices|bill> [flags]', 'Publish Kubernetes state, usage samples, cloud prices or cloud bills to Kafka.', 'Collectors read the Kubernetes API, the metrics API, cloud price APIs and billing exports and publish Avro records to kcost.kube.v1, kcost.usage.v1, kcost.prices.v1 and kcost.billing.v1.'),
    subcommands: [
      kubeRole,
      usageRole,
      pricesRole,
      billRole,
    ],
  },
  processRole,
  recommendRole,
  savingsRole,
  sinkRole,
  apiRole,
  forecastRole,
  reconcileRole,
  costRole,
  installPluginRole,
  exportRole,
  simulateRole,
  migrateRole,
  topicsRole,
  upRole,
];
