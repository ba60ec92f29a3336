/** The TLS modes and the values each needs; shared by the chart tests so every mode is rendered alike. */
export const TLS_MODES = ['auto', 'certManager', 'secret'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/** A made-up CA bundle: only its presence and placement are tested, never its content. */
export const USER_CA_BUNDLE = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

export function tlsValues(mode: TlsMode): Record<string, unknown> {
  if (mode === 'secret') return { tls: { mode, secret: { name: 'my-ddguard-tls', caBundle: USER_CA_BUNDLE } } };
  return { tls: { mode } };
}

/** The oldest and a recent Kubernetes the chart supports: before and after webhook matchConditions. */
export const KUBE_VERSIONS = ['1.27.0', '1.31.0'] as const;
