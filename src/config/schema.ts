/** The config file's JSON schema, checked by ajv. Rule ids are checked against the registry apart. */

const nonEmpty = { type: 'string', minLength: 1, pattern: '\\S' } as const;

export const SEVERITY_SETTINGS = ['error', 'warning', 'off'] as const;

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    severities: {
      type: 'object',
      additionalProperties: { enum: [...SEVERITY_SETTINGS] },
    },
    exemptions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['reason'],
        properties: {
          namespace: nonEmpty,
          kind: nonEmpty,
          name: nonEmpty,
          rules: { type: 'array', minItems: 1, items: nonEmpty },
          reason: nonEmpty,
        },
      },
    },
    clusterAgentPermissions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['apiGroup', 'resource', 'verbs', 'reason'],
        properties: {
          apiGroup: { type: 'string' },
          resource: nonEmpty,
          subresource: nonEmpty,
          verbs: { type: 'array', minItems: 1, items: nonEmpty },
          reason: nonEmpty,
        },
      },
    },
    // Owned by the webhook (`ddguard serve`), which validates it; passed through here untouched.
    webhook: { type: 'object' },
  },
} as const;

/** The shape the schema admits. */
export interface ConfigFile {
  severities?: Record<string, (typeof SEVERITY_SETTINGS)[number]>;
  exemptions?: {
    namespace?: string;
    kind?: string;
    name?: string;
    rules?: string[];
    reason: string;
  }[];
  clusterAgentPermissions?: {
    apiGroup: string;
    resource: string;
    subresource?: string;
    verbs: string[];
    reason: string;
  }[];
  webhook?: Record<string, unknown>;
}
