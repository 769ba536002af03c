import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { messageOf } from '../errors/kcost-error.js';
import type { Logger } from '../log/logger.js';
import { parseAccessConfig, type AccessConfig } from './access-config.js';

/**
 * The access configuration to apply after the file changed: its groups and
 * static tokens, with the oidc and kubernetes sections of the one in force,
 * since the token verifier and reviewer built from them at start do not
 * change without a restart. `restartNeeded` names the sections whose change
 * waits for one.
 */
export function reloadedAccess(inForce: AccessConfig, read: AccessConfig): { access: AccessConfig; restartNeeded: string[] } {
  const restartNeeded = (['oidc', 'kubernetes'] as const).filter((section) => !isDeepStrictEqual(inForce[section], read[section]));
  const access: AccessConfig = {
    ...(inForce.oidc ? { oidc: inForce.oidc } : {}),
    ...(inForce.kubernetes ? { kubernetes: inForce.kubernetes } : {}),
    groups: read.groups,
    staticTokens: read.staticTokens,
  };
  return { access, restartNeeded };
}

/**
 * Applies changes to the access file without a restart, as the TLS files are
 * (polled, since a Kubernetes Secret or ConfigMap update swaps a symlink):
 * `current()` answers the latest configuration that validated. A change that
 * does not parse is logged and the previous configuration kept, so a typo
 * never opens or closes the API. Returns a function that stops watching.
 */
export function watchAccessConfig(path: string, initial: AccessConfig, logger: Logger, pollMillis = 2000): { current: () => AccessConfig; stop: () => void } {
  let inForce = initial;
  const onChange = (now: { mtimeMs: number; ino: number; size: number }, before: { mtimeMs: number; ino: number; size: number }) => {
    if (now.mtimeMs === before.mtimeMs && now.ino === before.ino && now.size === before.size) return;
    let read: AccessConfig;
    try {
      read = parseAccessConfig(readFileSync(path, 'utf8'), path);
    } catch (error) {
      logger.error({ accessConfig: path, reason: messageOf(error) }, 'the changed access configuration is not valid; still applying the previous one');
      return;
    }
    const { access, restartNeeded } = reloadedAccess(inForce, read);
    inForce = access;
    logger.info({ accessConfig: path, groups: access.groups.length, staticTokens: access.staticTokens.length }, 'access configuration reloaded');
    if (restartNeeded.length > 0) logger.warn({ accessConfig: path, sections: restartNeeded }, 'changes to these sections of the access configuration apply after a restart of kcost api');
  };
  watchFile(path, { interval: pollMillis, persistent: false }, onChange);
  return { current: () => inForce, stop: () => unwatchFile(path, onChange) };
}
