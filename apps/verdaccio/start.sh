#!/bin/sh
# Writes the archy account from the generated secret into the htpasswd file on the volume (only when the
# file does not already hold that password), then runs Verdaccio in the foreground.
set -eu
: "${VERDACCIO_USER:?VERDACCIO_USER is not set}" "${VERDACCIO_PASSWORD:?VERDACCIO_PASSWORD is not set}"
mkdir -p /verdaccio/storage/data
node /opt/verdaccio/htpasswd.cjs /verdaccio/storage/htpasswd
exec node /opt/verdaccio/node_modules/verdaccio/bin/verdaccio --config /opt/verdaccio/config.yaml
