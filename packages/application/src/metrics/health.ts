/**
 * {@link HealthState}: what `/healthz` and `/readyz` answer.
 *
 * @module
 */

/**
 * The process's health as a balancer sees it: `ready` once every service started, `stopping`
 * from the moment a shutdown begins (before any port stops listening).
 */
export class HealthState {
  /** Every service started. */
  ready = false;
  /** A shutdown began. */
  stopping = false;

  /** `/healthz`: 200 while serving, 503 once stopping. */
  get healthy(): boolean {
    return !this.stopping;
  }
}
