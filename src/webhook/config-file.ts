import { loadConfigFile } from '../config/load.js';
import { compiledOnFirstUse } from '../config/lazy-validator.js';
import type { EngineConfig } from '../engine/engine.js';
import { WEBHOOK_CONFIG_SCHEMA, type WebhookConfigSection } from './config.js';
import { WebhookConfigError } from './errors.js';

export interface ServeConfigFile {
  engine: EngineConfig;
  webhook?: WebhookConfigSection;
}

const validator = compiledOnFirstUse<WebhookConfigSection>({ allErrors: true, strict: true }, () => WEBHOOK_CONFIG_SCHEMA);

/** The `webhook:` section of a config file, validated; every problem reported at once. */
export function webhookSectionOf(section: unknown, file: string): WebhookConfigSection | undefined {
  if (section === undefined) return undefined;
  const validateWebhook = validator();
  if (validateWebhook(section)) return section;
  throw new WebhookConfigError(
    (validateWebhook.errors ?? []).map((e) => {
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      const where = `webhook${e.instancePath.replaceAll('/', '.')}`;
      return `${file}: ${where} ${extra ? `has an unknown field "${extra}"` : (e.message ?? 'is invalid')}`;
    }),
  );
}

/**
 * The config file `ddguard serve --config` reads: the engine's part (severities, exemptions) validated by
 * src/config, and the `webhook:` section validated here, where its schema lives.
 */
export async function loadServeConfig(file: string): Promise<ServeConfigFile> {
  const config = loadConfigFile(file);
  const webhook = webhookSectionOf(config.webhook, file);
  return webhook ? { engine: config.engine, webhook } : { engine: config.engine };
}
