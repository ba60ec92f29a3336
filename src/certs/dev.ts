import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { certificatePaths, writeCertificates, type WrittenCertificates } from './files.js';
import { generateCertificates } from './generate.js';

/** Names `npm start` is reached by on the developer's machine. */
export const DEV_DNS_NAMES = ['localhost'] as const;
export const DEV_IP_ADDRESSES = ['127.0.0.1', '::1'] as const;
/** Replaced this long before expiry, so a dev server never starts with a certificate about to lapse. */
const RENEW_BEFORE_MS = 7 * 24 * 60 * 60 * 1000;

export interface DevCertificates extends WrittenCertificates {
  /** True when this call generated them; false when an earlier start's were reused. */
  created: boolean;
}

/**
 * The development CA and serving certificate under `dir` (certs/dev/, git-ignored): generated on first start,
 * reused afterwards so a CA the developer trusts stays valid, and replaced when missing, broken or expiring.
 */
export async function ensureDevCertificates(dir: string, now = new Date()): Promise<DevCertificates> {
  const paths = certificatePaths(dir);
  if (usable(paths, now)) return { ...paths, created: false };
  const bundle = await generateCertificates({
    commonName: 'localhost',
    dnsNames: DEV_DNS_NAMES,
    ipAddresses: DEV_IP_ADDRESSES,
    validityDays: 365,
    now,
  });
  return { ...writeCertificates(dir, bundle, { overwrite: true }), created: true };
}

function usable(paths: WrittenCertificates, now: Date): boolean {
  if (!Object.values(paths).every((file) => existsSync(file))) return false;
  try {
    const ca = new X509Certificate(readFileSync(paths.caFile));
    const cert = new X509Certificate(readFileSync(paths.certFile));
    return (
      cert.verify(ca.publicKey) &&
      cert.checkPrivateKey(createPrivateKey(readFileSync(paths.keyFile))) &&
      new Date(cert.validTo).getTime() - now.getTime() > RENEW_BEFORE_MS &&
      cert.checkHost('localhost') !== undefined &&
      cert.checkIP('127.0.0.1') !== undefined
    );
  } catch {
    return false;
  }
}
