import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KcostError } from '../errors/kcost-error.js';
import { parseAccessConfig } from './access-config.js';

const OIDC = 'oidc: { issuer: "https://idp.example.com", audience: kcost }\n';

describe('parseAccessConfig', () => {
  it('reads the documented example', () => {
    const config = parseAccessConfig(readFileSync(new URL('../../examples/access/access.yaml', import.meta.url), 'utf8'), 'examples/access/access.yaml');
    expect(config.oidc).toMatchObject({ issuer: 'https://login.example.com/realms/engineering', audience: 'kcost-api', groupsClaim: 'groups', clockToleranceSeconds: 30 });
    expect(config.groups.map((g) => [g.group, g.role, g.namespaces, g.clusters, g.nodeCosts])).toEqual([
      ['kcost-admins', 'admin', '*', '*', true],
      ['team-storefront', 'engineer', ['storefront', 'storefront-staging'], '*', false],
      ['team-data', 'viewer', ['warehouse'], ['prod-eu-1', 'prod-us-1'], false],
      ['finops', 'viewer', '*', '*', true],
      ['sre', 'operator', '*', '*', true],
    ]);
    expect(config.staticTokens[0]?.sha256.toString('hex')).toBe('3b8c1a4b7c9e2f05d6a8e1f4b2c7d9a0e5f3b6c8d1a4e7f2b5c8d0a3e6f9b1c4');
  });

  it.each([
    ['groups: [', 'not valid YAML'],
    [`${OIDC}groups: [{ group: a, role: owner, namespaces: [x] }]`, 'groups[0].role "owner" is not one of viewer, engineer, operator, admin'],
    [`${OIDC}groups: [{ group: a, role: viewer }]`, 'groups[0] needs namespaces'],
    [`${OIDC}groups: [{ group: a, role: viewer, namespaces: [] }]`, 'groups[0].namespaces is empty'],
    [`${OIDC}groups: [{ group: a, role: viewer, namespaces: ["*", web] }]`, '"*" alone'],
    [`${OIDC}groups: [{ group: a, role: admin, namespaces: [web] }]`, 'groups[0] is admin'],
    [`${OIDC}groups: [{ group: a, role: viewer, namespace: [web] }]`, 'unknown key "namespace"'],
    [`${OIDC}groups: [{ group: a, role: viewer, namespaces: [web], nodeCosts: yes-please }]`, 'nodeCosts must be true or false'],
    ['groups: [{ group: a, role: admin }]', 'neither an oidc nor a kubernetes section'],
    ['oidc: { issuer: not-a-url, audience: kcost }', 'is not a URL'],
    ['oidc: { issuer: "https://idp.example.com" }', 'oidc.audience must be a non-empty string'],
    ['staticTokens: [{ name: job, sha256: abc, role: viewer, namespaces: [web] }]', 'must be 64 hex digits'],
  ])('refuses %j: %s', (text, message) => {
    const error = (() => {
      try {
        parseAccessConfig(text, 'access.yaml');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(KcostError);
    expect((error as KcostError).code).toBe('INVALID_CONFIG');
    expect((error as KcostError).message).toContain('access configuration access.yaml: ');
    expect((error as KcostError).message).toContain(message);
  });
});
