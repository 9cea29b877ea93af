// Who restores apps after a reboot: systemd through Quadlet units where a
// systemd user session exists, the daemon's reconciler everywhere else.
export { SupervisionError, UnitOwnershipError } from './errors.ts';
export {
  chooseSupervision,
  type HostFacts,
  QUADLET_MIN_PODMAN,
  type SupervisionMode,
  versionAtLeast,
} from './mode.ts';
export { probeHost, QUADLET_GENERATOR_PATHS } from './probe-host.ts';
export { type QuadletSyncResult, type SupervisedApp, syncQuadlet } from './quadlet-sync.ts';
export {
  diffUnits,
  ownedBy,
  quadletDir,
  reloadSystemd,
  syncUnitFiles,
  type UnitDiff,
  type UnitFile,
} from './unit-files.ts';
