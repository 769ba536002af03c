import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeJwt, type JWTPayload } from 'jose';
import { KcostError } from '../errors/kcost-error.js';
import type { AccessConfig, RoleGrant } from './access-config.js';
import type { TokenVerifier } from './jwt-verifier.js';
import type { TokenReviewer } from './token-review.js';
import { UNRESTRICTED, type Scope } from './scope.js';

/** Who made a request and what it may see: the union of its grants. */
export interface Principal extends Scope {
  /** For logs: the token's subject, the static token's name, or how the caller was let in. */
  readonly subject: string;
  readonly grants: readonly RoleGrant[];
}

/** Turns an Authorization header into a principal, or throws UNAUTHORIZED (401) or FORBIDDEN (403) with a one-line reason. */
export type Authenticator = (authorization: string | undefined) => Promise<Principal>;

/** What the API accepts: the shared token, the access file's static tokens and groups, and OIDC tokens when a verifier is given. */
export interface AuthenticationOptions {
  /** The shared bearer token (--token); it stays admin, as it was before roles. Empty: none. */
  readonly sharedToken: string;
  /** The access configuration, or a function answering the one in force (access-reload.ts: the file is reloaded when it changes). */
  readonly access?: AccessConfig | (() => AccessConfig);
  readonly verifier?: TokenVerifier;
  /** Checks Kubernetes tokens (TokenReview) when the access file has a kubernetes section. */
  readonly reviewer?: TokenReviewer;
}

const ADMIN = { role: 'admin', ...UNRESTRICTED.grants[0] } as RoleGrant;
const ANONYMOUS: Principal = { subject: 'anonymous (no authentication configured)', grants: [ADMIN] };

/**
 * The authenticator of the options, or undefined when nothing is configured:
 * then every caller is admin, as the API was before access control.
 * The shared token and the static tokens are compared by SHA-256 digest with
 * timingSafeEqual, so the time taken says nothing about how much matched.
 */
export function createAuthenticator(options: AuthenticationOptions): Authenticator | undefined {
  const given = options.access;
  const accessNow = typeof given === 'function' ? given : () => given;
  const initial = accessNow();
  // Decided once, at start: whether the API asks for tokens at all does not change with a reload.
  if (options.sharedToken === '' && !initial?.oidc && !options.reviewer && (initial?.staticTokens.length ?? 0) === 0) return undefined;
  const shared = options.sharedToken === '' ? undefined : sha256(options.sharedToken);
  return async (authorization) => {
    const access = accessNow();
    const groupsClaim = access?.oidc?.groupsClaim ?? 'groups';
    if (authorization === undefined || authorization === '') throw new KcostError('UNAUTHORIZED', 'this API needs an Authorization: Bearer <token> header');
    const match = /^Bearer ([!-~]+)$/.exec(authorization);
    if (!match) throw new KcostError('UNAUTHORIZED', 'the Authorization header is not "Bearer <token>"');
    const token = match[1] as string;
    const digest = sha256(token);
    if (shared && timingSafeEqual(digest, shared)) return { subject: 'shared token', grants: [ADMIN] };
    const machine = access?.staticTokens.find((t) => timingSafeEqual(digest, t.sha256));
    if (machine) return { subject: `static token ${machine.name}`, grants: [grantOf(machine)] };
    let subject: string;
    let groups: string[];
    let groupsSource = `${groupsClaim} claim`;
    if (options.verifier && issuerOf(token) === access?.oidc?.issuer) {
      const claims = await options.verifier.verify(token);
      groups = groupsOf(claims, groupsClaim);
      subject = typeof claims.sub === 'string' ? claims.sub : 'unknown subject';
    } else if (options.reviewer) {
      // Any other token goes to the API server, which knows its ServiceAccount and kubeconfig users.
      const identity = await options.reviewer.review(token);
      subject = identity.username;
      groups = [...identity.groups];
      groupsSource = 'Kubernetes groups';
    } else if (options.verifier && token.split('.').length === 3) {
      // Verified anyway, so the caller learns why (a wrong issuer, a bad signature) rather than only "not valid".
      await options.verifier.verify(token);
      throw new KcostError('UNAUTHORIZED', 'the bearer token is not valid');
    } else {
      throw new KcostError('UNAUTHORIZED', 'the bearer token is not valid');
    }
    const grants = (access?.groups ?? []).filter((g) => groups.includes(g.group)).map(grantOf);
    if (grants.length === 0) {
      const named = groups.length === 0 ? `the token has no ${groupsSource}` : `its ${groupsSource}: ${groups.slice(0, 10).join(', ')}`;
      throw new KcostError('FORBIDDEN', `no group of ${subject} maps to a kcost role (${named}); see the access configuration`);
    }
    return { subject, grants };
  };
}

/** The principal of an API without authentication. */
export function anonymousPrincipal(): Principal {
  return ANONYMOUS;
}

/** The unverified issuer of a JWT, only to route it to its verifier; undefined for anything else. */
function issuerOf(token: string): string | undefined {
  try {
    const { iss } = decodeJwt(token);
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

function grantOf(grant: RoleGrant): RoleGrant {
  return { role: grant.role, clusters: grant.clusters, namespaces: grant.namespaces, nodeCosts: grant.nodeCosts };
}

/** The caller's groups: the claim's strings (one string counts as one group), reached through dots into objects. */
function groupsOf(claims: JWTPayload, claim: string): string[] {
  let value: unknown = claims;
  for (const part of claim.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
