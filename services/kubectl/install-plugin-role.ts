import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../cli/package-root.js';
import { defineRole } from '../cli/role.js';
import { parseString } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { installPlugin, PLUGIN_NAME } from './install-plugin.js';

const settings = {
  dir: setting('dir', {
    description: `Directory to put the ${PLUGIN_NAME} link in; it must be on your PATH for kubectl to find it.`,
    default: '',
    defaultLabel: '~/.local/bin',
    parse: parseString,
  }),
};

/** The plugin's entry point in this checkout or installed package. */
const entryPoint = () => join(packageRoot(), 'bin', `${PLUGIN_NAME}.js`);

/** `kcost install-plugin`: makes `kubectl cost` work from a checkout. */
export const installPluginRole = defineRole({
  name: 'install-plugin',
  usage: 'install-plugin [--dir DIR]',
  summary: `Install the kubectl plugin: link ${PLUGIN_NAME} into a directory on your PATH (then: kubectl cost namespace).`,
  description: [
    `kubectl runs \`kubectl cost …\` as an executable named exactly ${PLUGIN_NAME} on the PATH. This links <dir>/${PLUGIN_NAME} to ${PLUGIN_NAME}.js in kcost's bin/, so the plugin follows this copy of kcost (rebuilds and updates need no reinstall).`,
    `npm install -g kcost puts ${PLUGIN_NAME} on the PATH by itself; this command is for a checkout (npm ci && npm run build first). kubectl plugin list shows what kubectl finds.`,
  ].join('\n\n'),
  settings,
  async run(config, { env, stdout, stderr }) {
    const dir = resolve(config.dir === '' ? join(env.HOME ?? homedir(), '.local', 'bin') : config.dir);
    const target = entryPoint();
    const installed = installPlugin(dir, target, env.PATH ?? '');
    stdout(`kcost install-plugin: linked ${installed.path} -> ${target}\n`);
    if (!installed.onPath) stderr(`kcost install-plugin: ${dir} is not on your PATH; add it (export PATH="${dir}:$PATH") so kubectl finds ${PLUGIN_NAME}\n`);
    else stdout('Try: kubectl cost namespace\n');
    return 0;
  },
});
