import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type KeyPair = webcrypto.CryptoKeyPair;

// ECDSA P-256: accepted by Go's TLS stack (the API server) and Node's, small and fast to generate.
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Clock skew between the machine that signs and the API server that verifies. */
const BACKDATE_MS = 60 * 60 * 1000;

export interface CertificateRequest {
  /** The serving certificate's subject CN (informational; clients check the SANs). */
  commonName: string;
  dnsNames: readonly string[];
  ipAddresses?: readonly string[];
  /** Validity of the serving certificate; the CA lives a day longer so it never expires first. */
  validityDays?: number;
  now?: Date;
}

/** PEM texts. The CA's key is not kept: a new CA is made with each new serving certificate. */
export interface CertificateBundle {
  caCert: string;
  cert: string;
  key: string;
  notAfter: Date;
}

/** The names a Service is reached by inside a cluster; the API server dials `<svc>.<ns>.svc`. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

/** A fresh CA and a serving certificate signed by it, with the given SANs. */
export async function generateCertificates(request: CertificateRequest): Promise<CertificateBundle> {
  const now = request.now ?? new Date();
  const days = request.validityDays ?? 365;
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + days * DAY_MS);
  const caKeys = await newKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=ddguard-ca-${now.toISOString().slice(0, 10)}`,
    keys: caKeys,
    notBefore,
    notAfter: new Date(notAfter.getTime() + DAY_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafKeys = await newKeys();
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${escapeDnValue(request.commonName)}`,
    issuer: ca.subject,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(subjectAltNames(request)),
      await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { caCert: ca.toString('pem'), cert: leaf.toString('pem'), key: await privateKeyPem(leafKeys.privateKey), notAfter };
}

function subjectAltNames(request: CertificateRequest): x509.JsonGeneralName[] {
  const dns = [...new Set(request.dnsNames)].map((value) => ({ type: 'dns' as const, value }));
  const ips = [...new Set(request.ipAddresses ?? [])].map((value) => ({ type: 'ip' as const, value }));
  return [...dns, ...ips];
}

export function isIpAddress(value: string): boolean {
  return isIP(value) !== 0;
}

async function newKeys(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as KeyPair;
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** A positive 128-bit serial: unique per certificate, as RFC 5280 asks. */
function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function escapeDnValue(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}
