// Errors the gateway raises itself, each with a stable string `code`.
export class GatewayError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A gateway listener could not bind its port (in use, or a foreign address). */
export class GatewayListenError extends GatewayError {
  constructor(appId: string, port: number, host: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('gateway.listen', `gateway: app "${appId}" cannot listen on ${host}:${port}: ${why}`, { cause });
  }
}

/** A route handed to the gateway breaks its contract (two apps on one port, a bad app id or path). */
export class GatewayRouteError extends GatewayError {
  constructor(message: string) {
    super('gateway.route', message);
  }
}
