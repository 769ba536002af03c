import { KcostError } from '../errors/kcost-error.js';
import type { SqlParams } from './sql-params.js';

/** Every value of a dimension: a grant that lists `*` is not restricted by it. */
export const ALL = '*';

/**
 * One part of what a caller may see: the namespaces of some clusters, and
 * whether it may see the figures that belong to no namespace (node cost, idle,
 * cluster-wide anomalies and node recommendations).
 */
export interface ScopeGrant {
  readonly clusters: typeof ALL | readonly string[];
  readonly namespaces: typeof ALL | readonly string[];
  readonly nodeCosts: boolean;
}

/** What a caller may see: the union of its grants (one per group its token maps to). */
export interface Scope {
  readonly grants: readonly ScopeGrant[];
}

/** The scope of admin and of an API without authentication: everything. */
export const UNRESTRICTED: Scope = Object.freeze({ grants: Object.freeze([Object.freeze({ clusters: ALL, namespaces: ALL, nodeCosts: true })]) });

/** The columns a relation holds its scope in; `namespace` absent for relations of node rows. */
export interface ScopeColumns {
  readonly cluster: string;
  readonly namespace?: string;
}

/**
 * The WHERE conditions that keep a statement within the scope: none when the
 * scope holds everything, `FALSE` when it holds nothing of the relation.
 * Every endpoint adds these to its own conditions (with AND), so no parameter
 * or filter of a request can reach past them. A row whose namespace is empty
 * or NULL (a cluster-wide figure) counts as a node row: it needs `nodeCosts`.
 */
export function scopeConditions(scope: Scope, columns: ScopeColumns, params: SqlParams): string[] {
  const alternatives: string[] = [];
  for (const grant of scope.grants) {
    const parts: string[] = [];
    if (columns.namespace === undefined) {
      if (!grant.nodeCosts) continue;
    } else if (grant.namespaces === ALL) {
      if (!grant.nodeCosts) parts.push(`COALESCE(${columns.namespace}, '') <> ''`);
    } else {
      if (grant.namespaces.length === 0) continue;
      const namespaces = params.add([...grant.namespaces, ...(grant.nodeCosts ? [''] : [])], '::text[]');
      parts.push(`COALESCE(${columns.namespace}, '') = ANY(${namespaces})`);
    }
    if (grant.clusters !== ALL) {
      if (grant.clusters.length === 0) continue;
      parts.push(`${columns.cluster} = ANY(${params.add([...grant.clusters], '::text[]')})`);
    }
    // A grant that restricts nothing of this relation: the whole scope does not either.
    if (parts.length === 0) return [];
    alternatives.push(parts.length === 1 ? (parts[0] as string) : `(${parts.join(' AND ')})`);
  }
  if (alternatives.length === 0) return ['FALSE'];
  return [alternatives.length === 1 ? (alternatives[0] as string) : `(${alternatives.join(' OR ')})`];
}

/**
 * Refuses (403) what is made only of node costs, /v1/nodes and idle, to a
 * scope with no grant of them: an empty answer would look like a cluster
 * without nodes. `what` says what was asked for.
 */
export function requireNodeCosts(scope: Scope, what: string): void {
  if (!scope.grants.some((grant) => grant.nodeCosts)) {
    throw new KcostError('FORBIDDEN', `${what} belongs to no namespace, and your role is not given node costs (nodeCosts in the access configuration)`);
  }
}
