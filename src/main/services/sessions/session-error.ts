/** An error whose message is meant for the reader; `code` lets the UI react (e.g. 'layer-signed'). */
export class SessionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}
