import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeGetJson, loadKubeConfig } from '../../services/collector/kube-connection.js';
import { kubeFixture, startFakeKubeApi, type FakeKubeApi } from './kube-fake-api.js';

describe('kube connection', () => {
  let api: FakeKubeApi;
  beforeAll(async () => {
    api = await startFakeKubeApi({ '/apis/metrics.k8s.io/v1beta1/pods': { gets: [kubeFixture('k8s-podmetrics-list.json'), 503] } });
  });
  afterAll(() => api.close());

  it('picks the context named by --context, and names the known ones when it is missing', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kcost-kubeconfig-')), 'config');
    writeFileSync(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: a',
      'clusters:', '- name: a\n  cluster:\n    server: https://a.example:6443', '- name: b\n  cluster:\n    server: https://b.example:6443',
      'users:', '- name: u\n  user:\n    token: t',
      'contexts:', '- name: a\n  context:\n    cluster: a\n    user: u', '- name: b\n  context:\n    cluster: b\n    user: u', '',
    ].join('\n'));
    expect(loadKubeConfig({ kubeconfig: file, context: '' }).getCurrentCluster()?.server).toBe('https://a.example:6443');
    expect(loadKubeConfig({ kubeconfig: file, context: 'b' }).getCurrentCluster()?.server).toBe('https://b.example:6443');
    expect(() => loadKubeConfig({ kubeconfig: file, context: 'c' })).toThrow('kubeconfig has no context "c" (it has: a, b)');
    expect(() => loadKubeConfig({ kubeconfig: join(tmpdir(), 'no-such-kubeconfig'), context: '' })).toThrow(/cannot load kubeconfig/);
  });

  it('GETs JSON with the kubeconfig credentials and reports an error status as a retriable KcostError', async () => {
    const config = loadKubeConfig({ kubeconfig: api.writeKubeconfig(), context: '' });
    expect(await kubeGetJson(config, '/apis/metrics.k8s.io/v1beta1/pods')).toEqual(kubeFixture('k8s-podmetrics-list.json'));
    await expect(kubeGetJson(config, '/apis/metrics.k8s.io/v1beta1/pods')).rejects.toMatchObject({ code: 'KUBE_API_ERROR', retriable: true });
  });
});
