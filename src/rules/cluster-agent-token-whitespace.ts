import type { Rule, RuleFinding } from '../engine/types.js';
import { WORKLOAD_KINDS } from '../kube-model/pod-template.js';
import { badCharactersOf, tokenByteLength } from '../datadog/token.js';
import { tokenSitesOf, type TokenSite } from '../datadog/token-sites.js';
import { policy } from '../policy-forms/cluster-agent-token-whitespace.js';

/**
 * Whitespace or control characters in the Cluster Agent token (datadog.md §1.3). Nothing trims the token, and it
 * travels as `Authorization: Bearer <token>`: Go's client refuses control characters, the Cluster Agent splits the
 * header on spaces, and Go's server trims the ends, so the token on the wire never equals the Cluster Agent's.
 */
export const rule: Rule = {
  id: 'cluster-agent-token-whitespace',
  title: 'Cluster Agent token with whitespace or control characters',
  defaultSeverity: 'error',
  description:
    'The token is sent as `Authorization: Bearer <token>` and is never trimmed. A line feed, carriage return or other ' +
    'control character makes Go\'s HTTP client refuse to send it (`net/http: invalid header field value for ' +
    '"Authorization"`); a space splits the header and the Cluster Agent answers 403 "invalid session token"; leading ' +
    'or trailing blanks are trimmed by the server so the tokens no longer match (403 again). The usual culprit is the ' +
    'trailing newline of `echo $TOKEN | base64`.',
  remediation:
    'Store the token without whitespace or control characters: encode it with `printf %s "$TOKEN" | base64` (or `echo -n`), or put it in `stringData`, or create the Secret with `kubectl create secret generic --from-literal=token=...`.',
  targets: ['Secret', ...WORKLOAD_KINDS, 'DatadogAgent'],
  policy,
  example: {
    bad: '# echo "4bD9fQ2kLm8ZpX7cR1vT6yH3nW5sJ0gE" | base64  (adds a trailing newline)\nkind: Secret\nmetadata:\n  name: datadog-cluster-agent\ndata:\n  token: NGJEOWZRMmtMbThacFg3Y1IxdlQ2eUgzblc1c0owZ0UK',
    good: '# printf %s "4bD9fQ2kLm8ZpX7cR1vT6yH3nW5sJ0gE" | base64\nkind: Secret\nmetadata:\n  name: datadog-cluster-agent\ndata:\n  token: NGJEOWZRMmtMbThacFg3Y1IxdlQ2eUgzblc1c0owZ0U=',
  },
  evaluate(object, { world }) {
    return tokenSitesOf(object, world).flatMap((site) => judge(site));
  },
};

function judge(site: TokenSite): RuleFinding[] {
  if (site.value.state !== 'found') return [];
  const bad = badCharactersOf(site.value.value);
  if (!bad) return [];
  const bytes = tokenByteLength(site.value.value);
  const fix = site.written === 'here' ? '' : ' in the Secret it is read from';
  return [{
    path: site.path,
    message:
      `The Cluster Agent token in ${site.description} contains ${bad.description} (${bytes} bytes; ${bad.trimmedLength} without ` +
      `leading and trailing whitespace). ${consequence(bad.refusedByClient)}`,
    remediation: `Remove the whitespace and control characters from the token${fix}; encode it with \`printf %s "$TOKEN" | base64\`, not \`echo\`.`,
  }];
}

function consequence(refusedByClient: boolean): string {
  return refusedByClient
    ? 'Go\'s HTTP client refuses to send it (net/http: invalid header field value for "Authorization"), so Agents never reach the Cluster Agent.'
    : 'The `Authorization: Bearer` header no longer carries the token the Cluster Agent holds, so Agents get 403 "invalid session token".';
}
