import type { Command } from 'commander';
import { caBundleOf, writeCertificates } from '../certs/files.js';

class CertsUsageError extends Error {
  readonly code = 'DDG_CERTS_USAGE';
}

interface CertsFlags {
  service: string;
  namespace: string;
  out: string;
  ip: string[];
  dns: string[];
  days: string;
  force?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `ddguard certs`: a CA and a serving certificate for the webhook's Service. The base64 CA bundle goes to
 * stdout alone (for `caBundle=$(ddguard certs …)`); what was written goes to stderr.
 */
export function registerCerts(program: Command): void {
  program
    .command('certs')
    .description('Generate a CA and a serving certificate for the webhook Service; print the base64 CA bundle.')
    .requiredOption('--service <name>', 'the webhook Service name')
    .requiredOption('--namespace <ns>', 'the namespace the Service is in')
    .requiredOption('--out <dir>', 'directory to write ca.crt, tls.crt and tls.key (0600) into')
    .option('--ip <address>', 'an extra IP SAN (repeatable), e.g. 127.0.0.1 for a local API server', collect, [])
    .option('--dns <name>', 'an extra DNS SAN (repeatable)', collect, [])
    .option('--days <n>', 'validity of the serving certificate in days', '365')
    .option('--force', 'replace existing files in --out')
    .action(async (flags: CertsFlags) => {
      try {
        process.stdout.write(`${await certs(flags)}\n`);
      } catch (error: unknown) {
        process.stderr.write(`ddguard certs: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 2;
      }
    });
}

async function certs(flags: CertsFlags): Promise<string> {
  // @peculiar/x509 and its crypto shims cost ~20 MB: loaded only when certificates are made.
  const { generateCertificates, isIpAddress, serviceDnsNames } = await import('../certs/generate.js');
  const problems = [
    ...(DNS_LABEL.test(flags.service) ? [] : [`--service ${flags.service}: not a valid Service name`]),
    ...(DNS_LABEL.test(flags.namespace) ? [] : [`--namespace ${flags.namespace}: not a valid namespace name`]),
    ...flags.ip.filter((ip) => !isIpAddress(ip)).map((ip) => `--ip ${ip}: not an IP address`),
    ...(/^[1-9]\d{0,4}$/.test(flags.days) ? [] : [`--days ${flags.days}: must be a whole number of days`]),
  ];
  if (problems.length) throw new CertsUsageError(problems.join('; '));
  const bundle = await generateCertificates({
    commonName: `${flags.service}.${flags.namespace}.svc`,
    dnsNames: [...serviceDnsNames(flags.service, flags.namespace), ...flags.dns],
    ipAddresses: flags.ip,
    validityDays: Number(flags.days),
  });
  const written = writeCertificates(flags.out, bundle, { overwrite: flags.force === true });
  process.stderr.write(
    `wrote ${written.caFile}, ${written.certFile}, ${written.keyFile} (0600); valid until ${bundle.notAfter.toISOString()}\n` +
      'caBundle for the ValidatingWebhookConfiguration (stdout):\n',
  );
  return caBundleOf(bundle.caCert);
}
