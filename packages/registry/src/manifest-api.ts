// The one seam to @archipelago/manifest: everything the registry uses from the
// manifest package comes through here, so a change of its API touches one file.
export {
  canonicalJson,
  loadManifestFile,
  manifestHash,
  permissionKey,
  requiredPermissions,
  securityRating,
  validateManifestValue,
} from '@archipelago/manifest';
export type { Manifest, Permission, RequiredPermission, SecurityRating } from '@archipelago/manifest';
