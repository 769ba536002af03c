import { KcostError } from '../errors/kcost-error.js';

/** The few calls the plugin makes to the kcost query API. */
export interface CostApi {
  /** GET path?query as JSON (or text when `text` is set); a non-2xx answer throws with the API's message. */
  get<T>(path: string, query: Record<string, string>): Promise<T>;
  getText(path: string, query: Record<string, string>): Promise<string>;
  /** POST a JSON body; the answer's status and JSON body. A non-2xx answer throws with the API's message. */
  post<T>(path: string, body: object): Promise<{ status: number; body: T }>;
}

/** A CostApi over fetch. */
export function createCostApi(options: { baseUrl: string; token: string }): CostApi {
  const request = async (path: string, query: Record<string, string>, body?: object): Promise<Response> => {
    const url = new URL(path, options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    for (const [key, value] of Object.entries(query)) if (value !== '') url.searchParams.set(key, value);
    const headers: Record<string, string> = options.token === '' ? {} : { authorization: `Bearer ${options.token}` };
    let response: Response;
    try {
      response = await fetch(url, body === undefined ? { headers } : { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch (error) {
      throw new KcostError('API_UNREACHABLE', `cannot reach the kcost API at ${options.baseUrl}: ${(error as Error).message}`, { retriable: true, cause: error });
    }
    if (!response.ok) {
      const body = await response.text();
      let message = body;
      try {
        message = (JSON.parse(body) as { message?: string }).message ?? body;
      } catch {
        // Not JSON: show the body as it came.
      }
      throw new KcostError('API_ERROR', `the kcost API answered ${response.status} to ${url.pathname}: ${message}`);
    }
    return response;
  };
  return {
    get: async <T>(path: string, query: Record<string, string>) => (await (await request(path, query)).json()) as T,
    getText: async (path: string, query: Record<string, string>) => (await request(path, query)).text(),
    post: async <T>(path: string, body: object) => {
      const response = await request(path, {}, body);
      return { status: response.status, body: (await response.json()) as T };
    },
  };
}
