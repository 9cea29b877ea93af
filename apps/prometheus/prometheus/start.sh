#!/bin/sh
# The web interface's one account comes from the app's generated secret on every start: mkpasswd reads the
# password on stdin (never on a command line, where `ps` shows it) and only its bcrypt hash is written, into a
# file only this container sees. Then Prometheus runs in the foreground with its TSDB on the data volume.
set -eu
: "${PROMETHEUS_USER:?PROMETHEUS_USER is not set}" "${PROMETHEUS_PASSWORD:?PROMETHEUS_PASSWORD is not set}"
hash=$(printf '%s' "$PROMETHEUS_PASSWORD" | mkpasswd --method=bcrypt --rounds=10 --stdin)
unset PROMETHEUS_PASSWORD
umask 077
printf "basic_auth_users:\n  '%s': '%s'\n" "$PROMETHEUS_USER" "$hash" >/run/prometheus/web.yml
exec prometheus \
  --config.file=/etc/prometheus/archy.yml \
  --web.config.file=/run/prometheus/web.yml \
  --web.listen-address=:9090 \
  --storage.tsdb.path=/var/lib/prometheus/metrics2 \
  --storage.tsdb.retention.time=15d \
  --web.console.templates=/etc/prometheus/consoles \
  --web.console.libraries=/etc/prometheus/console_libraries
