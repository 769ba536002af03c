import { createConfiguration, HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { KcostError } from '../errors/kcost-error.js';

/** Loads credentials and the API server address: a kubeconfig file, the default rules, or the pod's service account. */
export function loadKubeConfig(options: { readonly kubeconfig: string; readonly context: string }): KubeConfig {
  const config = new KubeConfig();
  try {
    if (options.kubeconfig === 'in-cluster') config.loadFromCluster();
    else if (options.kubeconfig !== '') config.loadFromFile(options.kubeconfig);
    else config.loadFromDefault();
  } catch (error) {
    throw new KcostError('INVALID_CONFIG', `cannot load kubeconfig ${JSON.stringify(options.kubeconfig || '(default)')}: ${(error as Error).message}`, { cause: error });
  }
  if (options.context !== '') {
    if (!config.getContextObject(options.context)) {
      const known = config.getContexts().map((c) => c.name).join(', ');
      throw new KcostError('INVALID_CONFIG', `kubeconfig has no context ${JSON.stringify(options.context)} (it has: ${known || 'none'})`);
    }
    config.setCurrentContext(options.context);
  }
  if (!config.getCurrentCluster()) throw new KcostError('INVALID_CONFIG', 'the kubeconfig names no cluster for its current context');
  return config;
}

/**
 * GETs a JSON document from the API server with the kubeconfig's credentials
 * and TLS settings, through the client library's own HTTP transport. For
 * endpoints the typed clients do not model well: the metrics API and the
 * node proxy (whose generated client escapes the slash in stats/summary).
 */
export async function kubeGetJson(config: KubeConfig, path: string, signal?: AbortSignal): Promise<unknown> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new KcostError('INVALID_CONFIG', 'the kubeconfig names no cluster for its current context');
  const request = new RequestContext(`${cluster.server}${path}`, HttpMethod.GET);
  request.setHeaderParam('Accept', 'application/json');
  if (signal) request.setSignal(signal);
  await config.applySecurityAuthentication(request);
  let response;
  try {
    response = await createConfiguration().httpApi.send(request).toPromise();
  } catch (error) {
    throw new KcostError('KUBE_API_UNREACHABLE', `GET ${path} failed: ${(error as Error).message}`, { retriable: true, cause: error });
  }
  const text = await response.body.text();
  if (response.httpStatusCode !== 200) {
    throw new KcostError('KUBE_API_ERROR', `GET ${path} answered ${response.httpStatusCode}: ${text.slice(0, 200)}`, {
      retriable: response.httpStatusCode >= 500 || response.httpStatusCode === 429,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new KcostError('KUBE_API_ERROR', `GET ${path} returned a body that is not JSON`, { cause: error });
  }
}
