#!/bin/sh
# Sets the server password from the generated secret on the first start (bootstrap.mjs, against a private
# loopback instance, so the published port never serves an un-bootstrapped server), then runs the sync
# server in the foreground.
set -eu
: "${ACTUAL_PASSWORD:?ACTUAL_PASSWORD is not set}"
node /opt/actual/bootstrap.mjs
exec node /opt/actual/node_modules/@actual-app/sync-server/build/bin/actual-server.js
