import { parseString } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { PLUGIN_NAME } from './install-plugin.js';

/** Settings of `kcost install-plugin`. */
export const installPluginSettings = {
  dir: setting('dir', {
    description: `Directory to put the ${PLUGIN_NAME} link in; it must be on your PATH for kubectl to find it.`,
    default: '',
    defaultLabel: '~/.local/bin',
    parse: parseString,
  }),
};
