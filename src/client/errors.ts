/** Errors a client sees: the daemon's answer, or no daemon at all. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.name = 'ApiError';
  }
}

export class DaemonUnreachableError extends Error {
  constructor(host: string, cause: Error) {
    super(
      `Cannot connect to the Berth daemon at ${host} (${(cause as { code?: string }).code ?? cause.message}). Is berthd running? Start it with 'berthd &' or choose another daemon with --host or BERTH_HOST.`,
      { cause },
    );
    this.name = 'DaemonUnreachableError';
  }
}
