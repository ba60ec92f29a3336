import type { Rule, RuleFinding } from '../engine/types.js';
import { WORKLOAD_KINDS } from '../kube-model/pod-template.js';
import { shortTokenLogLines, TOKEN_MIN_BYTES, tokenByteLength } from '../datadog/token.js';
import { tokenSitesOf, type TokenSite } from '../datadog/token-sites.js';
import { policy } from '../policy-forms/cluster-agent-token-length.js';

/**
 * A Cluster Agent token under 32 bytes (datadog.md §1.2): `validateAuthToken` rejects `len(token) < 32` on every
 * client, while the Cluster Agent ignores the error and stays healthy, so nothing looks wrong until data is missing.
 */
export const rule: Rule = {
  id: 'cluster-agent-token-length',
  title: 'Cluster Agent token shorter than 32 bytes',
  defaultSeverity: 'error',
  description:
    'The Agent checks the Cluster Agent token with `len(token) < 32` (UTF-8 bytes; exactly 32 is accepted). A shorter ' +
    'token makes node Agents and cluster-checks runners log "cluster agent authentication token length must be ' +
    'greater than 32, currently: N" (newest wording: "cluster agent authentication token must be at least 32 ' +
    'characters long, currently: N") and never talk to the Cluster Agent, which itself starts and looks healthy.',
  remediation:
    'Use a token of at least 32 alphanumeric characters (for example `openssl rand -hex 32`), or leave it empty so the chart or the Operator generates one.',
  targets: ['Secret', ...WORKLOAD_KINDS, 'DatadogAgent'],
  policy,
  example: {
    bad: 'kind: Secret\nmetadata:\n  name: datadog-cluster-agent\nstringData:\n  token: too-short-token-30-characters0',
    good: 'kind: Secret\nmetadata:\n  name: datadog-cluster-agent\nstringData:\n  token: 4bD9fQ2kLm8ZpX7cR1vT6yH3nW5sJ0gE',
  },
  evaluate(object, { world }) {
    return tokenSitesOf(object, world).flatMap((site) => judge(site));
  },
};

function judge(site: TokenSite): RuleFinding[] {
  const { value } = site;
  if (value.state === 'found') {
    const bytes = tokenByteLength(value.value);
    return bytes < TOKEN_MIN_BYTES ? [tooShort(site, bytes)] : [];
  }
  // Only a Secret's own undecodable key is reported here; a workload reading it would repeat the same finding.
  if (value.state === 'invalid' && site.written === 'here') {
    return [{
      path: site.path,
      message: `The Cluster Agent token in ${site.description} ${value.problem}, so its length cannot be measured; the API server rejects a Secret whose data is not base64.`,
      remediation: 'Put the base64 encoding of a token of at least 32 alphanumeric characters in `data`, or the plain token in `stringData`.',
      downgrade: 'warning',
    }];
  }
  if (value.state === 'unknown') {
    return [{
      path: site.path,
      message: `Could not check the length of the Cluster Agent token in ${site.description}: ${value.reason}.`,
      remediation: 'Check that the token is at least 32 bytes once the Secret can be read.',
      downgrade: 'warning',
    }];
  }
  return [];
}

function tooShort(site: TokenSite, bytes: number): RuleFinding {
  const [older, newest] = shortTokenLogLines(bytes);
  const fix = site.written === 'here' ? '' : ' in the Secret it is read from';
  return {
    path: site.path,
    message:
      `The Cluster Agent token in ${site.description} is ${bytes} bytes; the Agent requires at least ${TOKEN_MIN_BYTES}. ` +
      `Node Agents and cluster-checks runners will log "${older}" (newer Agents: "${newest}") and never reach the Cluster Agent.`,
    remediation: `Replace the token${fix} with one of at least ${TOKEN_MIN_BYTES} alphanumeric characters, or leave it unset so the chart or the Operator generates one.`,
  };
}
