import { parse as parseYaml } from 'yaml';
import { KcostError } from '../errors/kcost-error.js';
import { ALL, type ScopeGrant } from './scope.js';

/** Roles, weakest first: each may do what the ones before it may. */
export const ROLES = ['viewer', 'engineer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A role over a scope: what one group, or one static token, grants. */
export interface RoleGrant extends ScopeGrant {
  readonly role: Role;
}

/** The grant of the claim value `group` (a group name from the token's groups claim). */
export interface GroupMapping extends RoleGrant {
  readonly group: string;
}

/** A machine's token, kept as its SHA-256 so the file holds no usable secret. */
export interface StaticToken extends RoleGrant {
  readonly name: string;
  /** SHA-256 of the token, 32 bytes. */
  readonly sha256: Buffer;
}

/** Where OIDC tokens come from and what they must say. */
export interface OidcSettings {
  readonly issuer: string;
  readonly audience: string;
  /** A JWKS file to verify signatures with instead of the issuer's discovery document. */
  readonly jwksFile?: string;
  /** Claim holding the caller's groups: a list of strings or one string; dots reach into objects (realm_access.roles). */
  readonly groupsClaim: string;
  /** Signature algorithms accepted; empty: any asymmetric one jose supports. */
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
}

/** Kubernetes ServiceAccount (and kubeconfig user) tokens, checked with a TokenReview. */
export interface KubernetesSettings {
  /** `in-cluster`, a kubeconfig path, or empty for the default kubeconfig. */
  readonly kubeconfig: string;
  /** Audiences the token must have been issued for; empty: the API server's default. */
  readonly audiences: readonly string[];
}

/** The access configuration file (--access-config), validated. */
export interface AccessConfig {
  readonly oidc?: OidcSettings;
  readonly kubernetes?: KubernetesSettings;
  readonly groups: readonly GroupMapping[];
  readonly staticTokens: readonly StaticToken[];
}

const DEFAULT_GROUPS_CLAIM = 'groups';
const ADMIN_GRANT = { clusters: ALL, namespaces: ALL, nodeCosts: true } as const;

/** Parses and validates the YAML of an access configuration; `source` names it in errors. */
export function parseAccessConfig(text: string, source: string): AccessConfig {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw invalid(source, `is not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  const root = objectAt(document ?? {}, source, 'the file');
  checkKeys(root, ['oidc', 'kubernetes', 'groups', 'staticTokens'], source, 'the file');
  const oidc = root.oidc === undefined ? undefined : parseOidc(objectAt(root.oidc, source, 'oidc'), source);
  const kubernetes = root.kubernetes === undefined ? undefined : parseKubernetes(objectAt(root.kubernetes ?? {}, source, 'kubernetes'), source);
  const groups = listAt(root.groups, source, 'groups').map((entry, i) => {
    const where = `groups[${i}]`;
    const item = objectAt(entry, source, where);
    checkKeys(item, ['group', 'role', 'namespaces', 'clusters', 'nodeCosts'], source, where);
    return { group: stringAt(item.group, source, `${where}.group`), ...parseGrant(item, source, where) };
  });
  const staticTokens = listAt(root.staticTokens, source, 'staticTokens').map((entry, i) => {
    const where = `staticTokens[${i}]`;
    const item = objectAt(entry, source, where);
    checkKeys(item, ['name', 'sha256', 'role', 'namespaces', 'clusters', 'nodeCosts'], source, where);
    const hex = stringAt(item.sha256, source, `${where}.sha256`).toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw invalid(source, `${where}.sha256 must be 64 hex digits (sha256sum of the token), not ${JSON.stringify(hex)}`);
    return { name: stringAt(item.name, source, `${where}.name`), sha256: Buffer.from(hex, 'hex'), ...parseGrant(item, source, where) };
  });
  if (oidc === undefined && kubernetes === undefined && groups.length > 0) throw invalid(source, 'maps groups but has neither an oidc nor a kubernetes section: groups come from their tokens');
  return { ...(oidc ? { oidc } : {}), ...(kubernetes ? { kubernetes } : {}), groups, staticTokens };
}

function parseKubernetes(item: Record<string, unknown>, source: string): KubernetesSettings {
  checkKeys(item, ['kubeconfig', 'audiences'], source, 'kubernetes');
  return {
    kubeconfig: item.kubeconfig === undefined ? 'in-cluster' : stringAt(item.kubeconfig, source, 'kubernetes.kubeconfig'),
    audiences: listAt(item.audiences, source, 'kubernetes.audiences').map((a, i) => stringAt(a, source, `kubernetes.audiences[${i}]`)),
  };
}

function parseOidc(item: Record<string, unknown>, source: string): OidcSettings {
  checkKeys(item, ['issuer', 'audience', 'jwksFile', 'groupsClaim', 'algorithms', 'clockToleranceSeconds'], source, 'oidc');
  const issuer = stringAt(item.issuer, source, 'oidc.issuer');
  if (!URL.canParse(issuer)) throw invalid(source, `oidc.issuer ${JSON.stringify(issuer)} is not a URL`);
  const tolerance = item.clockToleranceSeconds ?? 30;
  if (typeof tolerance !== 'number' || !Number.isInteger(tolerance) || tolerance < 0 || tolerance > 600) {
    throw invalid(source, `oidc.clockToleranceSeconds must be a whole number from 0 to 600, not ${JSON.stringify(tolerance)}`);
  }
  return {
    issuer,
    audience: stringAt(item.audience, source, 'oidc.audience'),
    ...(item.jwksFile === undefined ? {} : { jwksFile: stringAt(item.jwksFile, source, 'oidc.jwksFile') }),
    groupsClaim: item.groupsClaim === undefined ? DEFAULT_GROUPS_CLAIM : stringAt(item.groupsClaim, source, 'oidc.groupsClaim'),
    algorithms: listAt(item.algorithms, source, 'oidc.algorithms').map((a, i) => stringAt(a, source, `oidc.algorithms[${i}]`)),
    clockToleranceSeconds: tolerance,
  };
}

/** Role and scope of a group or token: admin sees everything; any other role names its namespaces. */
function parseGrant(item: Record<string, unknown>, source: string, where: string): RoleGrant {
  const role = stringAt(item.role, source, `${where}.role`);
  if (!(ROLES as readonly string[]).includes(role)) throw invalid(source, `${where}.role ${JSON.stringify(role)} is not one of ${ROLES.join(', ')}`);
  if (role === 'admin') {
    if (item.namespaces !== undefined || item.clusters !== undefined || item.nodeCosts !== undefined) {
      throw invalid(source, `${where} is admin, which sees every cluster, namespace and node cost: remove its namespaces, clusters and nodeCosts`);
    }
    return { role, ...ADMIN_GRANT };
  }
  if (item.namespaces === undefined) throw invalid(source, `${where} needs namespaces: a list of names, or ["*"] for every namespace`);
  const nodeCosts = item.nodeCosts ?? false;
  if (typeof nodeCosts !== 'boolean') throw invalid(source, `${where}.nodeCosts must be true or false`);
  return { role: role as Role, namespaces: namesAt(item.namespaces, source, `${where}.namespaces`), clusters: item.clusters === undefined ? ALL : namesAt(item.clusters, source, `${where}.clusters`), nodeCosts };
}

function namesAt(value: unknown, source: string, where: string): typeof ALL | string[] {
  const names = listAt(value, source, where).map((v, i) => stringAt(v, source, `${where}[${i}]`));
  if (names.length === 0) throw invalid(source, `${where} is empty; list at least one name, or "*"`);
  if (names.includes(ALL)) {
    if (names.length > 1) throw invalid(source, `${where} holds "*" and names; "*" alone means every one`);
    return ALL;
  }
  return names;
}

function objectAt(value: unknown, source: string, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(source, `${where} must be a mapping`);
  return value as Record<string, unknown>;
}

function listAt(value: unknown, source: string, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(source, `${where} must be a list`);
  return value;
}

function stringAt(value: unknown, source: string, where: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(source, `${where} must be a non-empty string`);
  return value;
}

function checkKeys(item: Record<string, unknown>, allowed: readonly string[], source: string, where: string): void {
  const unknown = Object.keys(item).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw invalid(source, `${where} has an unknown key ${JSON.stringify(unknown)}; expected ${allowed.join(', ')}`);
}

function invalid(source: string, message: string): KcostError {
  return new KcostError('INVALID_CONFIG', `access configuration ${source}: ${message}`);
}
