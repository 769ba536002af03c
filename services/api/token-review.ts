import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { KcostError, messageOf } from '../errors/kcost-error.js';

/** Who the Kubernetes API server says a token belongs to. */
export interface ReviewedIdentity {
  readonly username: string;
  readonly groups: readonly string[];
}

/** Asks the Kubernetes API server whose token this is (TokenReview). */
export interface TokenReviewer {
  /** The token's user and groups; throws UNAUTHORIZED when the API server does not authenticate it. */
  review(token: string): Promise<ReviewedIdentity>;
}

/**
 * A reviewer that posts an authentication.k8s.io/v1 TokenReview with the
 * API's own credentials (its ServiceAccount needs `create` on tokenreviews,
 * as system:auth-delegator grants). `audiences`, when given, must include one
 * the token was issued for, so a token minted for another service is refused.
 */
export function createTokenReviewer(kubeConfig: KubeConfig, audiences: readonly string[]): TokenReviewer {
  const api = kubeConfig.makeApiClient(AuthenticationV1Api);
  return {
    async review(token) {
      let status;
      try {
        const review = await api.createTokenReview({
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences.length > 0 ? { audiences: [...audiences] } : {}) } },
        });
        status = review.status;
      } catch (error) {
        throw new KcostError('IDENTITY_PROVIDER_UNAVAILABLE', `the Kubernetes API server did not answer the TokenReview: ${messageOf(error).split('\n')[0] ?? ''}`, { retriable: true });
      }
      if (!status?.authenticated || !status.user?.username) {
        throw new KcostError('UNAUTHORIZED', `the bearer token is not valid: the Kubernetes API server did not authenticate it${status?.error ? ` (${status.error})` : ''}`);
      }
      return { username: status.user.username, groups: status.user.groups ?? [] };
    },
  };
}
