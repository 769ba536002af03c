import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KcostError, messageOf } from '../errors/kcost-error.js';

/** What /metrics accepts, as Prometheus's scrape config sends it: `authorization` (a bearer token) and/or `basic_auth`. */
export interface ScrapeCredentials {
  readonly bearerToken?: string;
  readonly basic?: { readonly username: string; readonly password: string };
}

/** Checks Authorization headers against the credentials; `challenge` is the WWW-Authenticate of a 401, naming the schemes accepted. */
export interface ScrapeAuthorizer {
  allows(authorization: string | undefined): boolean;
  readonly challenge: string;
}

/**
 * The authorizer of the credentials, or undefined when there are none (then
 * /metrics is open, as before). Compares SHA-256 digests with
 * timingSafeEqual, so the time taken says nothing about how much matched.
 */
export function scrapeAuthorizer(credentials: ScrapeCredentials): ScrapeAuthorizer | undefined {
  const bearer = credentials.bearerToken ? digest(credentials.bearerToken) : undefined;
  const basic = credentials.basic ? digest(`${credentials.basic.username}:${credentials.basic.password}`) : undefined;
  if (!bearer && !basic) return undefined;
  return {
    allows(authorization) {
      const match = /^(Bearer|Basic) (\S+)$/i.exec(authorization ?? '');
      if (!match) return false;
      const scheme = (match[1] as string).toLowerCase();
      const value = match[2] as string;
      if (scheme === 'bearer') return bearer !== undefined && timingSafeEqual(digest(value), bearer);
      return basic !== undefined && timingSafeEqual(digest(Buffer.from(value, 'base64').toString('utf8')), basic);
    },
    challenge: [...(bearer ? ['Bearer realm="kcost"'] : []), ...(basic ? ['Basic realm="kcost"'] : [])].join(', '),
  };
}

/**
 * Credentials from files (mounted secrets): a bearer token file (the token,
 * surrounding whitespace ignored) and a basic-auth file (`username:password`
 * on its first line). Empty paths: none.
 */
export function readScrapeCredentials(tokenFile: string, basicAuthFile: string, flags = { token: '--metrics-token-file', basic: '--metrics-basic-auth-file' }): ScrapeCredentials {
  const read = (path: string, flag: string) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new KcostError('INVALID_CONFIG', `cannot read ${flag} ${path}: ${messageOf(error)}`);
    }
    if (text.trim() === '') throw new KcostError('INVALID_CONFIG', `${flag} ${path} is empty`);
    return text;
  };
  const credentials: { bearerToken?: string; basic?: { username: string; password: string } } = {};
  if (tokenFile !== '') credentials.bearerToken = read(tokenFile, flags.token).trim();
  if (basicAuthFile !== '') {
    const line = read(basicAuthFile, flags.basic).split('\n')[0]?.replace(/\r$/, '') ?? '';
    const colon = line.indexOf(':');
    if (colon <= 0) throw new KcostError('INVALID_CONFIG', `${flags.basic} ${basicAuthFile} must hold username:password on its first line`);
    credentials.basic = { username: line.slice(0, colon), password: line.slice(colon + 1) };
  }
  return credentials;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
