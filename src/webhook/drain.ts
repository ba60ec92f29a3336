/**
 * Whether the server is on its way out. While draining, `/readyz` fails so the endpoint leaves the Service,
 * requests are still answered (the API server keeps using idle connections to a terminating pod for a while,
 * kubernetes/kubernetes#127335), and every response says `Connection: close` so clients reconnect elsewhere.
 */
export class DrainState {
  private since: number | undefined;

  start(): void {
    this.since ??= Date.now();
  }

  get draining(): boolean {
    return this.since !== undefined;
  }
}
