// Minimal types for autocannon 8 (it ships none); only what the bench uses.
declare module 'autocannon' {
  interface Histogram { average: number; mean: number; p50: number; p90: number; p99: number; max: number }
  export interface Result { requests: Histogram & { total: number }; latency: Histogram; errors: number; timeouts: number; non2xx: number; duration: number }
  export interface Options {
    url: string; connections?: number; duration?: number; amount?: number; overallRate?: number; pipelining?: number;
    requests?: Array<{ method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }>;
    tlsOptions?: Record<string, unknown>; headers?: Record<string, string>; method?: string;
    /** Worker threads generating the load (autocannon's `workers`). */
    workers?: number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
