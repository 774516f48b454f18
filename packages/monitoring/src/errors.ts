// The error a provider call ends in: one line a user reads, naming the input or resource and what to do.

export type Provider = 'Datadog' | 'UptimeRobot';

export class MonitoringError extends Error {
  override name = 'MonitoringError';
  constructor(
    message: string,
    readonly provider: Provider,
    /** The HTTP status the provider answered with, when there was an answer. */
    readonly status?: number,
  ) {
    super(message);
  }

  /** The key was refused: every later call with it would be refused too. */
  get isAuthFailure(): boolean {
    return this.status === 401 || this.status === 403;
  }
}
