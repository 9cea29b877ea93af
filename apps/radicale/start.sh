#!/bin/sh
# Renders the account file from the generated secret (readable by this container's user only), then runs
# Radicale in the foreground.
set -eu
: "${RADICALE_USER:?RADICALE_USER is not set}" "${RADICALE_PASSWORD:?RADICALE_PASSWORD is not set}"
umask 077
printf '%s:%s\n' "$RADICALE_USER" "$RADICALE_PASSWORD" >/run/radicale/users
exec python3 -m radicale --config /etc/radicale/archy.conf
