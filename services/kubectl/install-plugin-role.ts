import { defineRole } from '../cli/role.js';
import { lazyRun } from '../cli/lazy-run.js';
import { installPluginSettings } from './install-plugin-settings.js';
import { PLUGIN_NAME } from './install-plugin.js';

/** `kcost install-plugin`: makes `kubectl cost` work from a checkout. */
export const installPluginRole = defineRole({
  name: 'install-plugin',
  usage: 'install-plugin [--dir DIR]',
  summary: `Install the kubectl plugin: link ${PLUGIN_NAME} into a directory on your PATH (then: kubectl cost namespace).`,
  description: [
    `kubectl runs \`kubectl cost …\` as an executable named exactly ${PLUGIN_NAME} on the PATH. This links <dir>/${PLUGIN_NAME} to ${PLUGIN_NAME}.js in kcost's bin/, so the plugin follows this copy of kcost (rebuilds and updates need no reinstall).`,
    `npm install -g kcost puts ${PLUGIN_NAME} on the PATH by itself; this command is for a checkout (npm ci && npm run build first). kubectl plugin list shows what kubectl finds.`,
  ].join('\n\n'),
  settings: installPluginSettings,
  run: lazyRun(() => import('./install-plugin-run.js')),
});
