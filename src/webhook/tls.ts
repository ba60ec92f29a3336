import { createHash, X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from '../logging/logger.js';
import { CertificateError } from './errors.js';

export interface KeyPair {
  cert: string;
  key: string;
  notAfter: Date;
}

/** Where the HTTPS server gets its certificate: the current pair, and word of each new one. */
export interface TlsSource {
  current(): KeyPair;
  /** A pair is loaded (readiness). */
  ready(): boolean;
  onChange(listener: (pair: KeyPair) => void): void;
}

/** What the apiserver needs and nothing older: TLS 1.2 and up, HTTP/1.1 (admission.md, Transport). */
export function secureContextOptions(pair: Pick<KeyPair, 'cert' | 'key'>): SecureContextOptions {
  return { cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' };
}

/** Reads a certificate and key and checks that they belong together, or throws CertificateError. */
export function readKeyPair(certFile: string, keyFile: string): KeyPair {
  let cert: string;
  let key: string;
  try {
    cert = readFileSync(certFile, 'utf8');
    key = readFileSync(keyFile, 'utf8');
  } catch (error: unknown) {
    throw new CertificateError(`cannot read the serving certificate or key: ${(error as Error).message}`);
  }
  try {
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error('the key does not match the certificate');
    createSecureContext(secureContextOptions({ cert, key }));
    return { cert, key, notAfter: new Date(x509.validTo) };
  } catch (error: unknown) {
    throw new CertificateError(`${certFile} and ${keyFile} are not a usable pair: ${(error as Error).message}`);
  }
}

export interface ReloaderOptions {
  certFile: string;
  keyFile: string;
  logger: Logger;
  /** Quiet time after a change before reading, so a writer that writes cert then key is read once. */
  debounceMs?: number;
  /** Also re-read on a timer: some volume types do not deliver file events. */
  pollMs?: number;
}

/**
 * Keeps the serving certificate current. Kubernetes updates a mounted Secret by writing a new timestamped
 * directory and swapping the `..data` symlink, so the *directory* is watched (the files themselves are
 * symlinks that never change). A pair that is half-written or mismatched is ignored and the current one kept
 * until the next change: the server never serves a broken pair, and a swap never fails a request, because
 * new connections simply get the new context while open ones keep theirs.
 */
export class CertificateReloader implements TlsSource {
  private pair: KeyPair;
  private fingerprint: string;
  private readonly listeners: ((pair: KeyPair) => void)[] = [];
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;

  constructor(private readonly options: ReloaderOptions) {
    this.pair = readKeyPair(options.certFile, options.keyFile);
    this.fingerprint = fingerprintOf(this.pair);
  }

  current(): KeyPair {
    return this.pair;
  }

  ready(): boolean {
    return true;
  }

  onChange(listener: (pair: KeyPair) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    for (const dir of new Set([dirname(this.options.certFile), dirname(this.options.keyFile)])) {
      const watcher = watch(dir, { persistent: false }, () => this.schedule());
      watcher.on('error', (error) => this.options.logger.warn({ err: error, dir }, 'certificate directory watch failed'));
      this.watchers.push(watcher);
    }
    const pollMs = this.options.pollMs ?? 30_000;
    if (pollMs > 0) this.poller = setInterval(() => this.reload(), pollMs).unref();
  }

  stop(): void {
    for (const watcher of this.watchers.splice(0)) watcher.close();
    clearTimeout(this.timer);
    clearInterval(this.poller);
  }

  /** Reads the files again; applies them when they changed and form a usable pair. */
  reload(): boolean {
    let next: KeyPair;
    try {
      next = readKeyPair(this.options.certFile, this.options.keyFile);
    } catch (error: unknown) {
      this.options.logger.warn({ err: error }, 'certificate files changed but are not usable yet; keeping the current pair');
      return false;
    }
    const fingerprint = fingerprintOf(next);
    if (fingerprint === this.fingerprint) return false;
    this.pair = next;
    this.fingerprint = fingerprint;
    for (const listener of this.listeners) {
      try {
        listener(next);
      } catch (error: unknown) {
        this.options.logger.error({ err: error }, 'applying the reloaded certificate failed');
      }
    }
    this.options.logger.info({ notAfter: next.notAfter.toISOString() }, 'serving certificate reloaded');
    return true;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), this.options.debounceMs ?? 200).unref();
  }
}

function fingerprintOf(pair: Pick<KeyPair, 'cert' | 'key'>): string {
  return createHash('sha256').update(pair.cert).update('\0').update(pair.key).digest('hex');
}
