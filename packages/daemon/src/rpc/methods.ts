// The method table's handlers: each is one call into a service. Parameter
// schemas, auth level and whether a method mutates live beside the types in
// api.ts (methodSpecs); the dispatcher enforces them before a handler runs.
import { hostname } from 'node:os';
import type { AppAddress, SessionInfo } from '../api.ts';
import type { Auth, NewSession, Session } from '../auth/auth.ts';
import type { IdentityService } from '../identity/service.ts';
import type { Installer } from '../install.ts';
import type { Services } from '../services.ts';
import type { SystemMonitor } from '../system.ts';
import type { UpdateService } from '../update-service.ts';
import { type Monitor, MonitorUnavailableError } from '@archipelago/monitor';
import type { Handlers } from './dispatch.ts';

export interface HandlerDeps {
  services: Services;
  auth: Auth;
  installer: Installer;
  system: SystemMonitor;
  identity: IdentityService;
  /** Platform updates (issue 19). */
  update: UpdateService;
  /** Absent when the node runs without the monitor (a backend with no engine facts). */
  monitor?: Monitor | undefined;
  /** gateway (issue 17): each app's authenticated address; absent when the gateway is not composed. */
  gateway?: { addresses(): AppAddress[] } | undefined;
}

function sessionInfo(
  auth: Auth,
  session: Session | NewSession | null,
  nodeCa: SessionInfo['nodeCa'],
): SessionInfo {
  return {
    authenticated: session !== null,
    setupRequired: auth.setupRequired(),
    kind: session?.kind ?? null,
    csrfToken: session && session.kind === 'browser' ? auth.csrfFor(session) : null,
    expiresAt: session?.expiresAt ? new Date(session.expiresAt).toISOString() : null,
    totpRequired: auth.totpRequired(),
    nodeCa,
  };
}

export function createHandlers({
  services,
  auth,
  installer,
  system,
  identity,
  update,
  monitor,
  gateway,
}: HandlerDeps): Handlers {
  const { apps, catalog, backup } = services;
  // What the authenticator app lists the account as: the node's name tells several nodes apart.
  const totpLabel = `operator@${hostname()}`;
  return {
    'auth.setup': async (p, ctx) => {
      const session = await auth.setup(p.password);
      ctx.setSession(session);
      return sessionInfo(auth, session, system.nodeCa());
    },
    'auth.login': async (p, ctx) => {
      const session = await auth.login(p.password, p.code, ctx.client);
      ctx.setSession(session);
      return sessionInfo(auth, session, system.nodeCa());
    },
    'auth.logout': async (_p, ctx) => {
      auth.logout(ctx.session!);
      ctx.setSession(null);
      return { ok: true };
    },
    'auth.changePassword': async (p, ctx) => {
      await auth.changePassword(ctx.session!, p.current, p.next, p.code, ctx.client);
      return { ok: true };
    },
    'auth.session': async (_p, ctx) => sessionInfo(auth, ctx.session, system.nodeCa()),
    'auth.totp.status': async () => auth.totpStatus(),
    'auth.totp.begin': (p, ctx) => auth.totpBegin(p.password, ctx.client, totpLabel),
    'auth.totp.confirm': async (p) => auth.totpConfirm(p.code),
    'auth.totp.disable': async (p, ctx) => {
      await auth.totpDisable(p.password, p.code, ctx.client);
      return { ok: true };
    },
    'auth.totp.reset': async () => {
      auth.totpReset();
      return { ok: true as const };
    },
    'auth.totp.regenerateRecoveryCodes': (p, ctx) => auth.totpRecoveryCodes(p.password, p.code, ctx.client),

    'app.list': () => apps.list(),
    'app.get': (p) => apps.get(p.id),
    'app.install': (p) => installer.install(p),
    'app.start': (p) => apps.start(p.id),
    'app.stop': (p) => apps.stop(p.id),
    'app.restart': (p) => apps.restart(p.id),
    'app.update': (p) => installer.update(p),
    'app.uninstall': (p) => apps.uninstall(p.id, p.purge),
    'app.logs': async (p) => ({ lines: await apps.logs(p.id, { member: p.member, tail: p.tail }) }),
    'app.credentials': async (p) => ({ credentials: await apps.credentials(p.id) }),
    'app.addresses': async () => gateway?.addresses() ?? [],

    'job.list': (p) => apps.listJobs(p),
    'job.get': (p) => apps.getJob(p.id),
    'job.logs': async (p) => ({ lines: await apps.jobLogs(p.id, p.afterSeq) }),
    'job.cancel': (p) => apps.cancelJob(p.id),

    'catalog.list': () => catalog.list(),
    'catalog.get': (p) => catalog.get(p.id),
    'catalog.sources': () => catalog.sources(),
    'catalog.preview': (p) => catalog.preview(p),
    'catalog.addSource': (p) => catalog.addSource(p),
    'catalog.trust': (p) => catalog.trust(p.id),
    'catalog.removeSource': async (p) => {
      await catalog.removeSource(p.id);
      return { ok: true };
    },
    'catalog.refresh': (p) => catalog.refresh(p.id),
    'catalog.discover': (p) => catalog.discover(p),

    'system.info': () => system.info(),
    'system.stats': () => system.stats(),
    'node.updateCheck': () => update.check(),

    'notification.list': (p) => apps.listNotifications(p),
    'notification.ack': async (p) => {
      await apps.ackNotification(p.id);
      return { ok: true };
    },

    'identity.get': async () => identity.view(),
    'identity.rotate': async (p, ctx) => {
      await auth.confirmOperator(p.password, p.code, ctx.client);
      return identity.rotate(p.reason);
    },
    'identity.export': async (p, ctx) => {
      await auth.confirmOperator(p.password, p.code, ctx.client);
      return identity.exportSecrets();
    },
    'identity.presence.set': async (p) => identity.setPresence(p),
    'identity.discover': () => identity.discover(),

    // monitor (issue 20)
    'monitor.current': async () => requireMonitor(monitor).current(),
    'monitor.history': async (p) => ({
      series: p.series,
      points: requireMonitor(monitor).history({
        series: p.series,
        fromMs: p.from,
        toMs: p.to,
        stepMs: p.step,
      }),
    }),
    'monitor.series': async (p) => ({ series: requireMonitor(monitor).seriesNames(p.prefix) }),
    'monitor.settings': async () => requireMonitor(monitor).settings(),
    'monitor.updateSettings': async (p) => requireMonitor(monitor).updateSettings(p),
    'monitor.testChannel': async (p) => {
      await requireMonitor(monitor).testChannel(p.channel);
      return { ok: true as const };
    },

    // backups (issue 18)
    'backup.targets': () => backup.targets(),
    'backup.addTarget': (p) => backup.addTarget(p.target, p.passphrase, p.create),
    'backup.removeTarget': async (p) => {
      await backup.removeTarget(p.target);
      return { ok: true };
    },
    'backup.setSchedule': (p) => backup.setSchedule(p.target, p.schedule, p.retention),
    'backup.create': (p) => backup.create(p.target),
    'backup.snapshots': (p) => backup.snapshots(p.target),
    'backup.restoreApp': (p) => backup.restoreApp(p.target, p.id, p.snapshot, p.confirm),
    'backup.check': (p) => backup.check(p.target, p.readDataSubset),
    // Only before the operator password exists; the restored node brings back the backup's password.
    'backup.restoreNode': (p) => backup.restoreNode(p, auth.setupRequired()),
    'backup.restoreNodeStatus': () => backup.restoreNodeStatus(),
  };
}

function requireMonitor(monitor: Monitor | undefined): Monitor {
  if (!monitor) throw new MonitorUnavailableError();
  return monitor;
}
