/** Every registry Datadog publishes its images to (datadog.md §6), as repository prefixes. */
export const DATADOG_REGISTRIES = [
  'registry.datadoghq.com/',
  'gcr.io/datadoghq/',
  'eu.gcr.io/datadoghq/',
  'asia.gcr.io/datadoghq/',
  'datadoghq.azurecr.io/',
  'public.ecr.aws/datadog/',
  'docker.io/datadog/',
  'index.docker.io/datadog/',
  'datadog/',
] as const;

export type DatadogImage = 'agent' | 'cluster-agent' | 'dogstatsd';
const IMAGE_NAMES: readonly string[] = ['agent', 'cluster-agent', 'dogstatsd'];

/** The repository of an image reference, without tag or digest: `gcr.io/datadoghq/agent:7.81.1@sha256:…` → `gcr.io/datadoghq/agent`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
}

/** Which Datadog image a reference names, if it comes from a Datadog registry. */
export function datadogImageOf(image: string | undefined): DatadogImage | undefined {
  if (!image) return undefined;
  const repository = imageRepository(image.trim());
  const registry = DATADOG_REGISTRIES.find((prefix) => repository.startsWith(prefix));
  if (!registry) return undefined;
  const name = repository.slice(registry.length);
  return IMAGE_NAMES.includes(name) ? (name as DatadogImage) : undefined;
}
