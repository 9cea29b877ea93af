// Every error the monitor raises on purpose: a class with a stable string code (the daemon maps codes to
// RPC codes) and a message for the operator that names what and where. Messages never hold secrets.

export class MonitorError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A history query asked for something the store cannot answer (range, step, series). */
export class HistoryQueryError extends MonitorError {
  constructor(message: string) {
    super('monitor.bad_query', message);
  }
}

/** A threshold or channel setting was refused; `field` names the setting. */
export class MonitorConfigError extends MonitorError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('monitor.bad_config', `${field}: ${message}`);
    this.field = field;
  }
}

/** A delivery channel could not deliver (the receiver refused or was unreachable). */
export class DeliveryError extends MonitorError {
  readonly channel: string;
  constructor(channel: string, message: string, options?: { cause?: unknown }) {
    super('monitor.delivery_failed', `${channel}: ${message}`, options);
    this.channel = channel;
  }
}

/** The node runs without a monitor (no engine facts to sample). */
export class MonitorUnavailableError extends MonitorError {
  constructor() {
    super('monitor.unavailable', 'This node runs without the monitor.');
  }
}
