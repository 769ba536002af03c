import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { KcostError, messageOf } from '../errors/kcost-error.js';
import type { OidcSettings } from './access-config.js';

// Symmetric algorithms are left out on purpose: a key the issuer publishes must never be one that can also sign.
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const DISCOVERY_TIMEOUT_MILLIS = 5000;
// jose's default: a token naming an unknown key fetches the JWKS again at most this often, so forged key ids cannot flood the issuer.
const DEFAULT_KEY_REFRESH_COOLDOWN_MILLIS = 30_000;

/** Checks OIDC bearer tokens: signature against the issuer's keys, then exp, nbf, iss and aud. */
export interface TokenVerifier {
  /** The token's claims; throws a KcostError UNAUTHORIZED with a one-line reason when it is not valid. */
  verify(token: string): Promise<JWTPayload>;
}

/**
 * A verifier over the issuer's keys: from the JWKS the caller read from a file,
 * or else from the jwks_uri of `<issuer>/.well-known/openid-configuration`,
 * read on first use. jose's remote key set caches the keys and fetches them
 * again when a token names a key it does not hold (a rotation), at most once
 * per cooldown (tests shorten it to see a rotation at once).
 */
export function createTokenVerifier(settings: OidcSettings, jwks?: JSONWebKeySet, options: { keyRefreshCooldownMillis?: number } = {}): TokenVerifier {
  let keys: Promise<JWTVerifyGetKey> | undefined = jwks ? Promise.resolve(createLocalJWKSet(jwks)) : undefined;
  const cooldownMillis = options.keyRefreshCooldownMillis ?? DEFAULT_KEY_REFRESH_COOLDOWN_MILLIS;
  const algorithms = settings.algorithms.length > 0 ? [...settings.algorithms] : ASYMMETRIC_ALGORITHMS;
  return {
    async verify(token) {
      // A failed discovery is forgotten, so the next request tries again instead of failing until a restart.
      keys ??= discover(settings.issuer, cooldownMillis).catch((error: unknown) => {
        keys = undefined;
        throw error;
      });
      const keySet = await keys;
      try {
        const { payload } = await jwtVerify(token, keySet, { issuer: settings.issuer, audience: settings.audience, algorithms, clockTolerance: settings.clockToleranceSeconds });
        return payload;
      } catch (error) {
        throw rejection(error);
      }
    },
  };
}

async function discover(issuer: string, cooldownMillis: number): Promise<JWTVerifyGetKey> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MILLIS), headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = (await response.json()) as typeof document;
  } catch (error) {
    throw new KcostError('IDENTITY_PROVIDER_UNAVAILABLE', `cannot read the OIDC discovery document ${url}: ${messageOf(error)}`, { retriable: true });
  }
  // The document must be the issuer's own (OpenID Connect Discovery 1.0, section 4.3).
  if (document.issuer !== issuer) throw new KcostError('IDENTITY_PROVIDER_UNAVAILABLE', `the discovery document ${url} names issuer ${JSON.stringify(document.issuer)}, not ${JSON.stringify(issuer)}`);
  if (typeof document.jwks_uri !== 'string' || !URL.canParse(document.jwks_uri)) {
    throw new KcostError('IDENTITY_PROVIDER_UNAVAILABLE', `the discovery document ${url} has no jwks_uri`);
  }
  return createRemoteJWKSet(new URL(document.jwks_uri), { timeoutDuration: DISCOVERY_TIMEOUT_MILLIS, cooldownDuration: cooldownMillis });
}

/** A one-line reason for a token jose refused; trouble reaching the issuer's keys is a 503, not the caller's fault. */
function rejection(error: unknown): KcostError {
  const unauthorized = (reason: string) => new KcostError('UNAUTHORIZED', `the bearer token is not valid: ${reason}`);
  if (error instanceof errors.JWTExpired) return unauthorized(`it expired${typeof error.payload.exp === 'number' ? ` at ${new Date(error.payload.exp * 1000).toISOString()}` : ''}`);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return unauthorized('it is not valid yet (nbf)');
    if (error.claim === 'aud') return unauthorized('its audience (aud) is not this API');
    if (error.claim === 'iss') return unauthorized('its issuer (iss) is not the configured one');
    return unauthorized(`claim ${error.claim}: ${error.message}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return unauthorized('its signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) return unauthorized("no key of the issuer matches the token's key id");
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return unauthorized(`its algorithm is not accepted (${error.message})`);
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error instanceof TypeError) {
    return new KcostError('IDENTITY_PROVIDER_UNAVAILABLE', `cannot read the issuer's keys: ${messageOf(error)}`, { retriable: true });
  }
  if (error instanceof errors.JOSEError) return unauthorized(error.message);
  return error instanceof KcostError ? error : unauthorized(messageOf(error));
}
