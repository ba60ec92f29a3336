import * as clientNode from '@kubernetes/client-node';
import { Ajv } from 'ajv';
import {
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  ValidatingWebhookConfiguration,
} from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { KubeObject } from '../../src/kube-model/types.js';

/**
 * Checks a rendered object against the Kubernetes API schemas: kubernetes-models validates types, required
 * fields and enums (it accepts unknown fields), and the model metadata of @kubernetes/client-node catches
 * unknown fields (a misspelt or misplaced key that the API server would drop or reject). CRDs
 * (cert-manager, Prometheus Operator) get a minimal schema of the fields the chart relies on.
 */
export function schemaErrors(object: KubeObject): string[] {
  const key = `${object.apiVersion ?? ''}/${object.kind ?? ''}`;
  const builtIn = BUILT_IN[key];
  if (builtIn) {
    const asModel = builtIn.modelApiVersion ? { ...object, apiVersion: builtIn.modelApiVersion } : object;
    return [...modelErrors(builtIn.model, asModel), ...unknownFields(object, builtIn.clientType, '')];
  }
  const crd = CRD_SCHEMAS[key];
  if (crd) return crdErrors(crd, object);
  return [`${key}: no schema known; add one to test/support/kube-schema.ts`];
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

/**
 * `modelApiVersion`: kubernetes-models has no v1beta1 ValidatingAdmissionPolicy; v1beta1 (1.28-1.29) and v1
 * have the same fields, so the v1 model checks types and client-node's v1beta1 model checks the field names.
 */
const BUILT_IN: Readonly<Record<string, { model: ModelClass; clientType: string; modelApiVersion?: string }>> = {
  'v1/Secret': { model: Secret, clientType: 'V1Secret' },
  'v1/ConfigMap': { model: ConfigMap, clientType: 'V1ConfigMap' },
  'v1/Service': { model: Service, clientType: 'V1Service' },
  'v1/ServiceAccount': { model: ServiceAccount, clientType: 'V1ServiceAccount' },
  'apps/v1/Deployment': { model: Deployment, clientType: 'V1Deployment' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, clientType: 'V1PodDisruptionBudget' },
  'networking.k8s.io/v1/NetworkPolicy': { model: NetworkPolicy, clientType: 'V1NetworkPolicy' },
  'rbac.authorization.k8s.io/v1/ClusterRole': { model: ClusterRole, clientType: 'V1ClusterRole' },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { model: ClusterRoleBinding, clientType: 'V1ClusterRoleBinding' },
  'rbac.authorization.k8s.io/v1/Role': { model: Role, clientType: 'V1Role' },
  'rbac.authorization.k8s.io/v1/RoleBinding': { model: RoleBinding, clientType: 'V1RoleBinding' },
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': { model: ValidatingAdmissionPolicy, clientType: 'V1ValidatingAdmissionPolicy' },
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': {
    model: ValidatingAdmissionPolicyBinding,
    clientType: 'V1ValidatingAdmissionPolicyBinding',
  },
  'admissionregistration.k8s.io/v1beta1/ValidatingAdmissionPolicy': {
    model: ValidatingAdmissionPolicy,
    clientType: 'V1beta1ValidatingAdmissionPolicy',
    modelApiVersion: 'admissionregistration.k8s.io/v1',
  },
  'admissionregistration.k8s.io/v1beta1/ValidatingAdmissionPolicyBinding': {
    model: ValidatingAdmissionPolicyBinding,
    clientType: 'V1beta1ValidatingAdmissionPolicyBinding',
    modelApiVersion: 'admissionregistration.k8s.io/v1',
  },
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': {
    model: ValidatingWebhookConfiguration,
    clientType: 'V1ValidatingWebhookConfiguration',
  },
};

function modelErrors(model: ModelClass, object: KubeObject): string[] {
  try {
    new model(object as never).validate();
    return [];
  } catch (error: unknown) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

type AttributeMap = { baseName: string; type: string }[];
const models = clientNode as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap } | undefined>;
const LEAF_TYPES = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString']);

function unknownFields(value: unknown, type: string, path: string): string[] {
  if (value === null || value === undefined || LEAF_TYPES.has(type)) return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array?.[1]) {
    const itemType = array[1];
    return Array.isArray(value) ? value.flatMap((item, i) => unknownFields(item, itemType, `${path}/${i}`)) : [];
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map?.[1]) {
    const valueType = map[1];
    return Object.entries(value as object).flatMap(([k, v]) => unknownFields(v, valueType, `${path}/${k}`));
  }
  const attributes = models[type]?.getAttributeTypeMap?.();
  if (!attributes || typeof value !== 'object') return [];
  const known = new Map(attributes.map((a) => [a.baseName, a.type]));
  return Object.entries(value as object).flatMap(([field, child]) => {
    const childType = known.get(field);
    if (childType === undefined) return [`${path}/${field}: unknown field of ${type}`];
    return unknownFields(child, childType, `${path}/${field}`);
  });
}

const ajv = new Ajv({ allErrors: true, strict: false });
const issuerRef = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1 }, kind: { enum: ['Issuer', 'ClusterIssuer'] }, group: { type: 'string' } },
};
const metadata = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1 }, namespace: { type: 'string' } },
};
const CRD_SCHEMAS: Readonly<Record<string, object>> = {
  'cert-manager.io/v1/Certificate': {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      metadata,
      spec: {
        type: 'object',
        required: ['secretName', 'issuerRef'],
        additionalProperties: false,
        properties: {
          secretName: { type: 'string', minLength: 1 },
          issuerRef,
          isCA: { type: 'boolean' },
          commonName: { type: 'string' },
          dnsNames: { type: 'array', items: { type: 'string' } },
          duration: { type: 'string', pattern: '^[0-9]+(h|m|s)$' },
          renewBefore: { type: 'string', pattern: '^[0-9]+(h|m|s)$' },
          usages: { type: 'array', items: { type: 'string' } },
          privateKey: {
            type: 'object',
            additionalProperties: false,
            properties: {
              algorithm: { enum: ['RSA', 'ECDSA', 'Ed25519'] },
              size: { type: 'integer' },
              rotationPolicy: { enum: ['Never', 'Always'] },
            },
          },
        },
      },
    },
  },
  'cert-manager.io/v1/Issuer': {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      metadata,
      spec: {
        type: 'object',
        minProperties: 1,
        maxProperties: 1,
        properties: {
          selfSigned: { type: 'object' },
          ca: { type: 'object', required: ['secretName'], properties: { secretName: { type: 'string', minLength: 1 } } },
        },
        additionalProperties: false,
      },
    },
  },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      metadata,
      spec: {
        type: 'object',
        required: ['selector', 'endpoints'],
        properties: {
          selector: { type: 'object' },
          namespaceSelector: { type: 'object' },
          endpoints: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['port'],
              properties: {
                port: { type: 'string' },
                path: { type: 'string' },
                scheme: { enum: ['http', 'https'] },
                interval: { type: 'string', pattern: '^[0-9]+(ms|s|m|h)$' },
                scrapeTimeout: { type: 'string', pattern: '^[0-9]+(ms|s|m|h)$' },
              },
            },
          },
        },
      },
    },
  },
};

function crdErrors(schema: object, object: KubeObject): string[] {
  const validate = ajv.compile(schema);
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
