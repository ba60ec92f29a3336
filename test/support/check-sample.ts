// A small fixed input for the renderers: an error, a warning, an exempted finding, a clean object and a
// cluster-scoped one, across two files.
import { Engine } from '../../src/engine/engine.js';
import { checkManifests } from '../../src/check/manifest-check.js';
import { parseManifests } from '../../src/manifests/parse.js';
import type { CheckReport } from '../../src/report/report.js';
import { CHECK_TEST_RULES } from './test-rules.js';

export const APP_YAML = `# Source: app/templates/secrets.yaml
apiVersion: v1
kind: Secret
metadata:
  name: token
  namespace: ns1
stringData:
  forbidden: "abc<&>"
---
apiVersion: v1
kind: Secret
metadata:
  name: old
  namespace: ns1
  annotations:
    ddguard.io/exempt: test-forbidden-key
    ddguard.io/exempt-reason: rotated next sprint
stringData:
  forbidden: xy
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
`;

export const PLATFORM_YAML = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: platform
  labels:
    team: platform
`;

export function sampleReport(): CheckReport {
  const loaded = [...parseManifests(APP_YAML, 'deploy/app.yaml'), ...parseManifests(PLATFORM_YAML, 'deploy/platform.yaml')];
  return checkManifests(loaded, new Engine(CHECK_TEST_RULES), { defaultNamespace: 'default', files: ['deploy/app.yaml', 'deploy/platform.yaml'] });
}
