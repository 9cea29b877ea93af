#!/bin/sh
# Transmission's settings and its torrents' state live on the data volume. The first start writes the few
# settings the command line cannot set (reachable by any host name, downloads on the volume); on every start
# the web interface's account is set from the app's generated secret.
set -eu
: "${TRANSMISSION_USER:?TRANSMISSION_USER is not set}" "${TRANSMISSION_PASSWORD:?TRANSMISSION_PASSWORD is not set}"
config=/var/lib/transmission/config
mkdir -p "$config" /var/lib/transmission/downloads
if [ ! -f "$config/settings.json" ]; then
  cat >"$config/settings.json" <<'JSON'
{
  "download-dir": "/var/lib/transmission/downloads",
  "incomplete-dir-enabled": false,
  "rpc-host-whitelist-enabled": false,
  "umask": 2
}
JSON
fi
exec transmission-daemon --foreground --config-dir "$config" --rpc-bind-address 0.0.0.0 --port 9091 \
  --auth --username "$TRANSMISSION_USER" --password "$TRANSMISSION_PASSWORD" --allowed '*.*.*.*' \
  --peerport 51413 --log-info
