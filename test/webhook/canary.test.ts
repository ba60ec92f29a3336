// A known secret value rides through every kind of review; it must appear in no log line, answer or metric.
import t from 'tap';
import type { KubeObject } from '../../src/kube-model/types.js';
import { createLogger } from '../../src/logging/logger.js';
import { RULES } from '../../src/rules/index.js';
import { leakyRule, throwsWithValueRule, WEBHOOK_TEST_RULES } from '../support/test-rules.js';
import { reviewOf, testServer } from '../support/webhook.js';
import { appSecret } from '../support/admission.js';

// 30 bytes: short enough that the token rules fire and have every reason to talk about it.
const CANARY = 'CANARYtok3n-7f3a9c1e5b2d4f60a8';
const CANARY_LONG = 'CANARYlong-2c9e41d7a0b35f86e1d24c7b9a03';
// Every form the value travels in, and its unique prefix, which catches fragments (V8 quotes ~10 characters
// of a body it cannot parse).
const forms = (value: string) => [value, Buffer.from(value).toString('base64'), JSON.stringify(value).slice(1, -1), 'CANARY'];

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function tokenSecret(token: string, where: 'data' | 'stringData'): KubeObject {
  const object: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'datadog-cluster-agent',
      namespace: 'datadog',
      labels: { 'app.kubernetes.io/name': 'datadog', 'app.kubernetes.io/instance': 'datadog', 'helm.sh/chart': 'datadog-3.240.0' },
      annotations: { [LAST_APPLIED]: JSON.stringify({ kind: 'Secret', stringData: { token } }) },
    },
    type: 'Opaque',
  };
  object[where] = { token: where === 'data' ? Buffer.from(token).toString('base64') : token };
  return object;
}

function daemonSetWithInlineToken(token: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'datadog', namespace: 'datadog' },
    spec: {
      template: {
        metadata: { labels: { 'agent.datadoghq.com/component': 'agent' } },
        spec: {
          containers: [
            {
              name: 'agent',
              image: 'registry.datadoghq.com/agent:7.81.1',
              env: [
                { name: 'DD_CLUSTER_AGENT_ENABLED', value: 'true' },
                { name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', value: token },
                { name: 'DD_KUBERNETES_KUBELET_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
              ],
            },
          ],
        },
      },
    },
  };
}

t.test('the canary appears in no log line, response or metric', async (t) => {
  const cases = [['real rules', RULES], ['test rules', WEBHOOK_TEST_RULES], ['leaky rules', [leakyRule, throwsWithValueRule]]] as const;
  for (const [label, rules] of cases) {
    const { validate, logs, metrics, app } = await testServer({ rules });
    const bodies: string[] = [];
    const send = async (review: unknown) => bodies.push(JSON.stringify(await validate(review)));
    for (const token of [CANARY, CANARY_LONG]) {
      for (const where of ['data', 'stringData'] as const) {
        const create = reviewOf(tokenSecret(token, where));
        await send(create);
        await send({ ...create, request: { ...create.request, dryRun: true } });
        await send(reviewOf(tokenSecret(token, where), { operation: 'UPDATE', oldObject: tokenSecret(token, where) }));
        await send(reviewOf(tokenSecret(token, where), { operation: 'DELETE' }));
      }
      await send(reviewOf(daemonSetWithInlineToken(token)));
      await send(reviewOf(tokenSecret(token, 'data'), { operation: 'CONNECT' }));
    }
    // Malformed bodies that carry it: not JSON, and JSON that is not a review.
    bodies.push((await app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/json' }, payload: `{"token": "${CANARY}"` })).body);
    bodies.push((await app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/json' }, payload: `{"token": ${CANARY}}` })).body);
    const notReview = reviewOf(appSecret()) as unknown as Record<string, Record<string, unknown>>;
    notReview['request']!['operation'] = CANARY;
    notReview['request']!['uid'] = 42;
    bodies.push(JSON.stringify(await validate(notReview)));

    t.ok(bodies.some((b) => /"allowed":false/.test(b)), `${label}: some reviews were denied, so messages were written`);
    t.ok(logs.lines().length > 10, `${label}: the log was written`);
    if (rules.includes(throwsWithValueRule)) t.ok(logs.lines().some((l) => l['msg'] === 'admission review failed'), 'the failing rule was logged');
    const everything = { responses: bodies.join('\n'), logs: logs.text(), metrics: await metrics.text() };
    for (const [where, text] of Object.entries(everything)) {
      for (const form of [...forms(CANARY), ...forms(CANARY_LONG)]) t.notOk(text.includes(form), `${label}: not in ${where} (${form.slice(0, 12)}…)`);
    }
  }
});

t.test('the logger redacts Secret data, stringData and the last-applied annotation if an object is ever logged', async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
  const secret = tokenSecret(CANARY, 'data');
  secret['stringData'] = { token: CANARY };
  logger.info({ object: secret }, 'object');
  logger.info({ review: { request: { object: secret, oldObject: secret } } }, 'nested');
  logger.info(secret, 'top level');
  const text = lines.join('');
  for (const form of forms(CANARY)) t.notOk(text.includes(form), `${form.slice(0, 12)}… redacted`);
  t.match(text, /"data":"\[redacted\]"/);
  t.match(text, /"kubectl.kubernetes.io\/last-applied-configuration":"\[redacted\]"/);
  t.match(text, /"name":"datadog-cluster-agent"/, 'names are still there');
});
