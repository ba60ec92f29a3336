import { TOKEN_ENV, TOKEN_KEY, TOKEN_MIN_BYTES } from '../datadog/token.js';
import type { PolicyTarget } from './types.js';
import {
  BAD_TOKEN_CHARACTER,
  base64BadByteRegex,
  base64Bytes,
  celString,
  hasPlainLiteral,
  labelledComponent,
  NOT_EXEMPTED,
  NOT_KUBERNETES_CONTROLLER,
  plainLiteral,
  STRICT_BASE64,
  WORKLOAD_RESOURCES,
  WORKLOAD_VARIABLES,
} from './cel.js';

/**
 * Every place the object alone shows a Cluster Agent token (src/datadog/token-sites.ts, tokenSitesOf), as CEL: a
 * token Secret the Helm chart or the Operator named and labelled (or one with a DD_CLUSTER_AGENT_AUTH_TOKEN
 * key), a literal DD_CLUSTER_AGENT_AUTH_TOKEN on a labelled Datadog workload, and a DatadogAgent's
 * clusterAgentToken. A Secret known as the token's only because a workload reads it is left to the webhook.
 * The length and the whitespace forms judge the same sites with different checks.
 */

const NAME = "(has(object.metadata.name) ? object.metadata.name : '')";
const LABELS = 'object.metadata.labels';
const label = (key: string) => `(has(${LABELS}) && ${celString(key)} in ${LABELS})`;
const labelValue = (key: string) => `${LABELS}[${celString(key)}]`;

/** isHelmTokenSecret: `<fullname>-cluster-agent` labelled by Helm, not by another chart. */
const HELM_TOKEN_SECRET =
  `((!${label('helm.sh/chart')} || ${labelValue('helm.sh/chart')}.startsWith('datadog-'))` +
  ` && ((${label('app.kubernetes.io/managed-by')} && ${labelValue('app.kubernetes.io/managed-by')} == 'Helm') || ${label('helm.sh/chart')})` +
  ` && ${NAME}.endsWith('-cluster-agent'))`;

/** isOperatorTokenSecret: `<dda>-token`, owned by that DatadogAgent or labelled by the Operator for it. */
const OPERATOR_TOKEN_SECRET =
  "((has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(o, has(o.kind) && o.kind == 'DatadogAgent'" +
  ` && has(o.name) && o.name != '' && ${NAME} == o.name + '-token'))` +
  ` || (${label('app.kubernetes.io/managed-by')} && ${labelValue('app.kubernetes.io/managed-by')} == 'datadog-operator'` +
  ` && ${label('app.kubernetes.io/instance')} && ${labelValue('app.kubernetes.io/instance')} != ''` +
  ` && ${NAME} == ${labelValue('app.kubernetes.io/instance')} + '-token'))`;

const HAS_ENV_KEY = `((has(object.data) && '${TOKEN_ENV}' in object.data) || (has(object.stringData) && '${TOKEN_ENV}' in object.stringData))`;

const fromStringData = (k: string) => `(has(object.stringData) && ${k} in object.stringData)`;
const fromData = (k: string) =>
  `(!${fromStringData(k)} && has(object.data) && ${k} in object.data && string(object.data[${k}]).matches(${celString(STRICT_BASE64)}))`;

/** The bytes of Secret key `k` (a CEL string), -1 when absent or not base64 (the rule then reports no error). */
function secretKeyBytes(k: string): string {
  return `(${fromStringData(k)} ? size(bytes(object.stringData[${k}])) : ${fromData(k)} ? ${base64Bytes(`string(object.data[${k}])`)} : -1)`;
}

/** Whether Secret key `k` holds a byte isBadTokenByte rejects. */
function secretKeyHasBadByte(k: string): string {
  return `(${fromStringData(k)} ? object.stringData[${k}].matches(${celString(BAD_TOKEN_CHARACTER)}) : ${fromData(k)} && string(object.data[${k}]).matches(${celString(base64BadByteRegex())}))`;
}

/** What a token check needs: whether a site fails, and how to say so for one site. */
export interface TokenCheck {
  /** CEL over a Secret key `k`: true when the key's value fails. */
  secretKeyFails: (k: string) => string;
  /** CEL over a token text `v` (a string): true when it fails. */
  textFails: (v: string) => string;
  /** CEL string naming what is wrong with the token at `where` (a CEL string), whose text is `v` or bytes `n`. */
  say: (where: string, bytes: string) => string;
  /** CEL over a token text `v`: its measured bytes (for messages). */
  textBytes: (v: string) => string;
}

export const TOKEN_LENGTH: TokenCheck = {
  secretKeyFails: (k) => `(${secretKeyBytes(k)} >= 0 && ${secretKeyBytes(k)} < ${TOKEN_MIN_BYTES})`,
  textFails: (v) => `size(bytes(${v})) < ${TOKEN_MIN_BYTES}`,
  textBytes: (v) => `size(bytes(${v}))`,
  say: (where, bytes) =>
    `'The Cluster Agent token in ' + ${where} + ' is ' + string(${bytes}) + ' bytes; the Agent requires at least ${TOKEN_MIN_BYTES}. ` +
    `Node Agents and cluster-checks runners will log "cluster agent authentication token length must be greater than 32, currently: ' + string(${bytes}) + '" and never reach the Cluster Agent.'`,
};

export const TOKEN_WHITESPACE: TokenCheck = {
  secretKeyFails: secretKeyHasBadByte,
  textFails: (v) => `${v}.matches(${celString(BAD_TOKEN_CHARACTER)})`,
  textBytes: (v) => `size(bytes(${v}))`,
  say: (where, bytes) =>
    `'The Cluster Agent token in ' + ${where} + ' contains whitespace or control characters (' + string(${bytes}) + ' bytes). ` +
    `The Authorization: Bearer header then never carries the token the Cluster Agent holds, so Agents never reach the Cluster Agent.'`,
};

/** The three token policies of a token check: Secrets, workloads, DatadogAgents. */
export function tokenTargets(check: TokenCheck): PolicyTarget[] {
  const literal = (c: string) => plainLiteral(c, TOKEN_ENV);
  const containerFails = (c: string) => `(${hasPlainLiteral(c, TOKEN_ENV)} && ${check.textFails(literal(c))})`;
  return [
    {
      name: 'secrets',
      exactness: 'exact',
      resources: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['secrets'] }],
      matchPolicy: 'Equivalent',
      matchConditions: [
        NOT_KUBERNETES_CONTROLLER,
        NOT_EXEMPTED,
        { name: 'datadog-token-secret', expression: `${HELM_TOKEN_SECRET} || ${OPERATOR_TOKEN_SECRET} || ${HAS_ENV_KEY}` },
      ],
      variables: [
        { name: 'helmOrOperator', expression: `${HELM_TOKEN_SECRET} || ${OPERATOR_TOKEN_SECRET}` },
        // The chart's and the Operator's key counts only on their Secrets; DD_CLUSTER_AGENT_AUTH_TOKEN on any.
        { name: 'tokenKeyBytes', expression: `variables.helmOrOperator ? ${secretKeyBytes(`'${TOKEN_KEY}'`)} : -1` },
        { name: 'tokenKeyFails', expression: `variables.helmOrOperator && ${check.secretKeyFails(`'${TOKEN_KEY}'`)}` },
        { name: 'envKeyBytes', expression: secretKeyBytes(`'${TOKEN_ENV}'`) },
        { name: 'envKeyFails', expression: check.secretKeyFails(`'${TOKEN_ENV}'`) },
      ],
      validations: [
        { expression: '!variables.tokenKeyFails', detail: check.say(`'key "${TOKEN_KEY}" of this Secret'`, 'variables.tokenKeyBytes') },
        { expression: '!variables.envKeyFails', detail: check.say(`'key "${TOKEN_ENV}" of this Secret'`, 'variables.envKeyBytes') },
      ],
    },
    {
      name: 'workloads',
      exactness: 'under',
      resources: WORKLOAD_RESOURCES,
      matchPolicy: 'Equivalent',
      matchConditions: [NOT_KUBERNETES_CONTROLLER, NOT_EXEMPTED, labelledComponent(['agent', 'cluster-agent', 'cluster-checks-runner'])],
      variables: [...WORKLOAD_VARIABLES, { name: 'everyContainer', expression: 'variables.initContainers + variables.containers' }],
      validations: [{
        expression: `!variables.everyContainer.exists(c, ${containerFails('c')})`,
        detail:
          `variables.everyContainer.filter(c, ${containerFails('c')})` +
          `.map(c, ${check.say(`'${TOKEN_ENV} of container "' + c.name + '" (an inline value)'`, check.textBytes(literal('c')))})[0]`,
      }],
    },
    {
      name: 'datadogagents',
      exactness: 'exact',
      resources: [{ apiGroups: ['datadoghq.com'], apiVersions: ['v2alpha1'], resources: ['datadogagents'] }],
      // A v1alpha1 DatadogAgent has no spec.global token fields: the rule leaves it alone, so must the policy.
      matchPolicy: 'Exact',
      matchConditions: [NOT_KUBERNETES_CONTROLLER, NOT_EXEMPTED],
      variables: [
        { name: 'global', expression: 'has(object.spec) && has(object.spec.global) ? dyn(object.spec.global) : dyn({})' },
        {
          // The Operator's IsValidSecretConfig: a secret name and a key name, or the block is ignored.
          name: 'secretConfigured',
          expression:
            "has(variables.global.clusterAgentTokenSecret) && has(variables.global.clusterAgentTokenSecret.secretName) && variables.global.clusterAgentTokenSecret.secretName != ''" +
            " && has(variables.global.clusterAgentTokenSecret.keyName) && variables.global.clusterAgentTokenSecret.keyName != ''",
        },
        {
          name: 'literalToken',
          expression: "!variables.secretConfigured && has(variables.global.clusterAgentToken) && type(variables.global.clusterAgentToken) == string && variables.global.clusterAgentToken != ''",
        },
      ],
      validations: [{
        expression: `!(variables.literalToken && ${check.textFails('variables.global.clusterAgentToken')})`,
        detail: check.say("'spec.global.clusterAgentToken (an inline value)'", check.textBytes('variables.global.clusterAgentToken')),
      }],
    },
  ];
}
