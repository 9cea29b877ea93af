#!/bin/sh
# Serves the data volume over WebDAV with one account. The user name and the generated password reach rclone
# through its environment (RCLONE_USER, RCLONE_PASS: every rclone flag can be set as RCLONE_<FLAG>), never on
# its command line, where any process could read them in `ps`. No rclone config file is needed: the share is
# a local path.
set -eu
: "${WEBDAV_USER:?WEBDAV_USER is not set}" "${WEBDAV_PASSWORD:?WEBDAV_PASSWORD is not set}"
RCLONE_USER="$WEBDAV_USER" RCLONE_PASS="$WEBDAV_PASSWORD"
export RCLONE_USER RCLONE_PASS
unset WEBDAV_PASSWORD
exec rclone serve webdav /var/lib/webdav --config /dev/null --addr :8080 --realm "WebDAV on Archipelago" \
  --vfs-cache-mode off --dir-cache-time 5s --log-level NOTICE
