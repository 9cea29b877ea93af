// The package entry point: what the daemon composes.
export {
  APP_COOKIE_PREFIX,
  appCookieName,
  appSessionCookie,
  readCookie,
  stripNodeCookies,
} from './cookies.ts';
export { GatewayError, GatewayListenError, GatewayRouteError } from './errors.ts';
export {
  AUTHORIZE_PATH,
  EXCHANGE_PATH,
  GATEWAY_PREFIX,
  Gateway,
  type GatewayLogger,
  type GatewayOptions,
  type GatewayRoute,
  type GatewayTls,
  hostnameOf,
  type Upstream,
} from './gateway.ts';
export { type ForwardFacts, forwardHeaders } from './headers.ts';
export { assignPorts, PORT_RANGE } from './ports.ts';
export { isPublicPath, normalisePath, safeReturnPath } from './paths.ts';
export { TICKET_TTL_MS, TicketBook } from './tickets.ts';
