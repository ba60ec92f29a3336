// A throwaway CA and a serving certificate for 127.0.0.1, made fresh at every start with ddguard's own
// generator, so no key material is ever committed and clients verify an ordinary chain.
import { generateCertificates } from '../../../src/certs/generate.js';

export interface ServingCertificate {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export async function makeServingCertificate(host = '127.0.0.1'): Promise<ServingCertificate> {
  const bundle = await generateCertificates({ commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: [host], validityDays: 1 });
  return { caPem: bundle.caCert, certPem: bundle.cert, keyPem: bundle.key };
}
