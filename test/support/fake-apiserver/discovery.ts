// The legacy (unaggregated) discovery documents and /version: enough for clients that check what
// the server offers before calling it.
import { RESOURCES, apiVersionOf, groupVersions } from './resources.js';

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const VERSION_INFO = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-04-23T00:00:00Z',
  goVersion: 'go1.24.2',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function groupDoc(group: string) {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

function resourceList(group: string, version: string) {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version).map((r) => ({
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: VERBS,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
  }));
  if (resources.length === 0) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

/** The discovery document at `segments`, or undefined when the path is not a discovery path. */
export function discoveryDocument(segments: string[], serverAddress: string): unknown {
  const [root, a, b, extra] = segments;
  if (root === 'version' && a === undefined) return VERSION_INFO;
  if (root === 'api' && a === undefined) {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }
  if (root === 'api' && a === 'v1' && b === undefined) return resourceList('', 'v1');
  if (root !== 'apis' || extra !== undefined) return undefined;
  if (a === undefined) {
    const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => g !== '').map(groupDoc);
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  if (b === undefined) return groupDoc(a).versions.length > 0 ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(a) } : undefined;
  return resourceList(a, b);
}
