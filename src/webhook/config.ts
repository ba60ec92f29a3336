/** How the webhook decides; the `webhook:` section of the config file, overridable by flags. */
export interface WebhookConfig {
  /** `enforce` denies on error findings; `warn` never denies and returns every finding as a warning. */
  mode: 'enforce' | 'warn';
  /**
   * What to do when the cluster could not be asked (a lookup failed or ran out of time). `allow` by default:
   * the webhook must never take a cluster down with it.
   */
  lookupFailure: 'allow' | 'deny';
  /** Namespaces whose objects are admitted without review (each use is logged). */
  exemptNamespaces: readonly string[];
  /** The webhook's own ServiceAccount user (`system:serviceaccount:NS:NAME`); its requests are allowed. */
  ownServiceAccount?: string;
}

export const DEFAULT_WEBHOOK_CONFIG: WebhookConfig = Object.freeze({
  mode: 'enforce',
  lookupFailure: 'allow',
  exemptNamespaces: Object.freeze([]) as readonly string[],
});

export const SERVICE_ACCOUNT_USER = '^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?$';
const NAMESPACE_NAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** JSON schema of the `webhook:` section; every field optional, defaults from DEFAULT_WEBHOOK_CONFIG. */
export const WEBHOOK_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { enum: ['enforce', 'warn'] },
    lookupFailure: { enum: ['allow', 'deny'] },
    exemptNamespaces: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: NAMESPACE_NAME, maxLength: 63 } },
    ownServiceAccount: { type: 'string', pattern: SERVICE_ACCOUNT_USER },
  },
} as const;

/** The section as written in a file: any field may be left out. */
export type WebhookConfigSection = Partial<WebhookConfig>;

/** Defaults, then the file's section, then overrides (flags); frozen. */
export function resolveWebhookConfig(...layers: readonly (WebhookConfigSection | undefined)[]): WebhookConfig {
  const merged: WebhookConfig = { ...DEFAULT_WEBHOOK_CONFIG };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return Object.freeze({ ...merged, exemptNamespaces: Object.freeze([...merged.exemptNamespaces]) });
}
