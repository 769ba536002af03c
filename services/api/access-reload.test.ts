import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../log/logger.js';
import { parseAccessConfig } from './access-config.js';
import { reloadedAccess, watchAccessConfig } from './access-reload.js';
import { createAuthenticator } from './authenticator.js';

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const tokenYaml = (name: string, token: string, namespaces: string) =>
  [`  - name: ${name}`, `    sha256: ${digest(token)}`, '    role: viewer', `    namespaces: [${namespaces}]`].join('\n');
const fileOf = (...tokens: string[]) => ['staticTokens:', ...tokens].join('\n');

describe('reloading the access file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kcost-access-reload-'));
  const path = join(dir, 'access.yaml');
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  /** Replaces the file as a Secret or ConfigMap update does: a new file renamed into place. */
  const replace = (text: string) => {
    writeFileSync(`${path}.new`, text);
    renameSync(`${path}.new`, path);
  };

  it('lets in a token added to the file and shuts out one removed, without a restart; an invalid change keeps the previous file', async () => {
    replace(fileOf(tokenYaml('report', 'token-report', 'web')));
    const watched = watchAccessConfig(path, parseAccessConfig(fileOf(tokenYaml('report', 'token-report', 'web')), path), silentLogger(), 20);
    stop = watched.stop;
    const authenticate = createAuthenticator({ sharedToken: '', access: watched.current });
    if (!authenticate) throw new Error('no authenticator');
    expect((await authenticate('Bearer token-report')).subject).toBe('static token report');
    await expect(authenticate('Bearer token-billing')).rejects.toThrow(/not valid/);

    replace(fileOf(tokenYaml('billing', 'token-billing', 'api')));
    await vi.waitFor(() => expect(watched.current().staticTokens.map((t) => t.name)).toEqual(['billing']), { timeout: 5000, interval: 20 });
    expect((await authenticate('Bearer token-billing')).grants).toMatchObject([{ role: 'viewer', namespaces: ['api'] }]);
    await expect(authenticate('Bearer token-report')).rejects.toThrow(/not valid/);

    replace('staticTokens:\n  - name: broken\n    role: superuser\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(watched.current().staticTokens.map((t) => t.name)).toEqual(['billing']);
  });

  it('keeps the OIDC and Kubernetes settings of the start and says their change needs a restart', () => {
    const oidc = (issuer: string) => parseAccessConfig(`oidc:\n  issuer: ${issuer}\n  audience: kcost\ngroups:\n  - group: g\n    role: viewer\n    namespaces: [web]`, 'test');
    const { access, restartNeeded } = reloadedAccess(oidc('https://a.example.com'), oidc('https://b.example.com'));
    expect(restartNeeded).toEqual(['oidc']);
    expect(access.oidc?.issuer).toBe('https://a.example.com');
    expect(reloadedAccess(oidc('https://a.example.com'), oidc('https://a.example.com')).restartNeeded).toEqual([]);
  });
});
