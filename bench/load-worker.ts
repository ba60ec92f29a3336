// Admission load from a worker thread: the stand-in API server shares the bench's main thread, and a list page
// it builds must not delay the load generator's own clock (that would be counted as ddguard's latency).
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

export interface LoadRequest {
  url: string;
  body: string;
  ca: string;
  rate: number;
  seconds: number;
}

export interface LoadResult {
  p99: number;
  errors: number;
  sent: number;
}

const job = workerData as LoadRequest;
const result = await autocannon({
  url: job.url,
  requests: [{ method: 'POST', path: '/validate', headers: { 'content-type': 'application/json' }, body: job.body }],
  connections: 4, overallRate: job.rate, duration: job.seconds, tlsOptions: { ca: job.ca, rejectUnauthorized: true },
});
parentPort?.postMessage({ p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx, sent: result.requests.total } satisfies LoadResult);
