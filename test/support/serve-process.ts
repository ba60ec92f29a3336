// Helpers for tests that run `ddguard serve` as a process: its ports from the log, and plain GETs.
import type { ChildProcess } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { get } from 'node:https';
import { createInterface } from 'node:readline';

/** The ports from the server's `listening` log line (pino JSON on stdout); rejects if it exits or takes 20 s. */
export function listeningPorts(server: ChildProcess, stderr: () => string): Promise<{ port: number; metricsPort: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 20 s: ${stderr()}`)), 20_000);
    server.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr()}`)));
    if (!server.stdout) return reject(new Error('no stdout'));
    createInterface({ input: server.stdout }).on('line', (line) => {
      const entry = parsedLine(line);
      if (entry?.msg === 'listening' && entry.port && entry.metricsPort) {
        clearTimeout(timer);
        resolve({ port: entry.port, metricsPort: entry.metricsPort });
      }
    });
  });
}

function parsedLine(line: string): { msg?: string; port?: number; metricsPort?: number } | undefined {
  try {
    return JSON.parse(line) as { msg?: string; port?: number; metricsPort?: number };
  } catch {
    return undefined; // not a log line
  }
}

/** Status of an HTTPS GET trusting `ca`. */
export function httpsStatus(url: string, ca: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { ca, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });
}

/** Status and body of a plain-HTTP GET (the metrics listener). */
export function httpGetText(url: string): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}
