import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../cli/package-root.js';
import type { RoleRun } from '../cli/role.js';
import type { installPluginSettings } from './install-plugin-settings.js';
import { installPlugin, PLUGIN_NAME } from './install-plugin.js';

/** The plugin's entry point in this checkout or installed package. */
const entryPoint = () => join(packageRoot(), 'bin', `${PLUGIN_NAME}.js`);

/** Runs `kcost install-plugin`; its help and settings are in install-plugin-role.ts. */
export const run: RoleRun<typeof installPluginSettings> = async (config, { env, stdout, stderr }) => {
  const dir = resolve(config.dir === '' ? join(env.HOME ?? homedir(), '.local', 'bin') : config.dir);
  const target = entryPoint();
  const installed = installPlugin(dir, target, env.PATH ?? '');
  stdout(`kcost install-plugin: linked ${installed.path} -> ${target}\n`);
  if (!installed.onPath) stderr(`kcost install-plugin: ${dir} is not on your PATH; add it (export PATH="${dir}:$PATH") so kubectl finds ${PLUGIN_NAME}\n`);
  else stdout('Try: kubectl cost namespace\n');
  return 0;
};
