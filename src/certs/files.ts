import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificateBundle } from './generate.js';

/** The file names Kubernetes uses in a `kubernetes.io/tls` Secret, plus the CA the webhook config needs. */
export const CERT_FILES = Object.freeze({ ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' });

export class CertificateFilesError extends Error {
  readonly code = 'DDG_CERT_FILES';
}

export interface WrittenCertificates {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export function certificatePaths(dir: string): WrittenCertificates {
  return { caFile: join(dir, CERT_FILES.ca), certFile: join(dir, CERT_FILES.cert), keyFile: join(dir, CERT_FILES.key) };
}

/**
 * Writes ca.crt, tls.crt and tls.key (mode 0600) into `dir`. Each file is written beside its final name and
 * renamed into place, so a server watching the directory never reads half a file. Existing files are kept
 * unless `overwrite` is set.
 */
export function writeCertificates(dir: string, bundle: CertificateBundle, options: { overwrite?: boolean } = {}): WrittenCertificates {
  const paths = certificatePaths(dir);
  const present = Object.values(paths).filter((file) => existsSync(file));
  if (present.length && !options.overwrite) {
    throw new CertificateFilesError(`${present.join(', ')} already exist; pass --force to replace them`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeAtomically(paths.caFile, bundle.caCert, 0o644);
  writeAtomically(paths.keyFile, bundle.key, 0o600);
  writeAtomically(paths.certFile, bundle.cert, 0o644);
  return paths;
}

function writeAtomically(file: string, text: string, mode: number): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text, { mode });
  chmodSync(temporary, mode); // the umask may have narrowed or `mode` not applied to an existing file
  renameSync(temporary, file);
}

/** The CA as the `caBundle` field of a ValidatingWebhookConfiguration wants it. */
export function caBundleOf(caPem: string): string {
  return Buffer.from(caPem, 'utf8').toString('base64');
}
