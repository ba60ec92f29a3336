// The server's limits (issue 10) are chart values passed as flags, with the same defaults as `ddguard serve`.
import '../support/requires-helm.js';
import t from 'tap';
import type { KubeObject } from '../../src/kube-model/types.js';
import { DEFAULT_SERVER_LIMITS } from '../../src/webhook/limits.js';
import { resolveServeOptions } from '../../src/webhook/serve-options.js';
import { helmTemplate, tryHelmTemplate } from '../support/helm.js';

const argsOf = (objects: KubeObject[]): string[] => {
  const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
  return deployment.spec.template.spec.containers[0]?.args ?? [];
};
const flag = (args: string[], name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];

t.test('the chart passes each limit, defaulting to what serve defaults to', async (t) => {
  const args = argsOf(helmTemplate({ values: { tls: { mode: 'certManager' } }, namespace: 'ddguard', release: 'ddguard' }));
  const defaults = resolveServeOptions({}, {});
  t.equal(flag(args, 'max-in-flight-bytes'), String(DEFAULT_SERVER_LIMITS.maxInFlightBytes));
  t.equal(Number(flag(args, 'max-in-flight-bytes')), defaults.maxInFlightBytes);
  t.equal(Number(flag(args, 'max-connections')), defaults.maxConnections);
  t.equal(Number(flag(args, 'handshake-timeout-seconds')), defaults.handshakeTimeoutSeconds);
  t.equal(Number(flag(args, 'headers-timeout-seconds')), defaults.headersTimeoutSeconds);
  t.equal(defaults.handshakeTimeoutSeconds * 1000, DEFAULT_SERVER_LIMITS.handshakeTimeoutMs);

  const raised = argsOf(helmTemplate({
    values: { tls: { mode: 'certManager' }, serverLimits: { maxInFlightBytes: 134217728, maxConnections: 50, handshakeTimeoutSeconds: 3, headersTimeoutSeconds: 4.5 } },
    namespace: 'ddguard',
    release: 'ddguard',
  }));
  t.same(['max-in-flight-bytes', 'max-connections', 'handshake-timeout-seconds', 'headers-timeout-seconds'].map((n) => flag(raised, n)), ['134217728', '50', '3', '4.5']);
  const bad = tryHelmTemplate({ values: { tls: { mode: 'certManager' }, serverLimits: { maxInFlightBytes: 10, maxConnections: 0, handshakeTimeoutSeconds: 3, headersTimeoutSeconds: 4 } } });
  t.match(bad.stderr, /maxInFlightBytes/);
  t.match(bad.stderr, /maxConnections/);
});

t.test('serve: the limits as flags and DDGUARD_* variables, every bad one reported', async (t) => {
  t.match(resolveServeOptions({ maxConnections: '20' }, { DDGUARD_MAX_IN_FLIGHT_BYTES: '1048576', DDGUARD_HEADERS_TIMEOUT_SECONDS: '2.5' }), {
    maxConnections: 20,
    maxInFlightBytes: 1048576,
    headersTimeoutSeconds: 2.5,
  });
  const problems = (() => {
    try {
      resolveServeOptions({ maxConnections: '0', handshakeTimeoutSeconds: 'soon' }, { DDGUARD_MAX_IN_FLIGHT_BYTES: '-1' });
      return '';
    } catch (error: unknown) {
      return (error as Error).message;
    }
  })();
  for (const name of ['--max-connections', '--handshake-timeout-seconds', 'DDGUARD_MAX_IN_FLIGHT_BYTES']) t.match(problems, name);
});
