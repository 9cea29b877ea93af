#!/bin/sh
# Starts PostgreSQL for one app. On the first start the cluster is made with the app's user as its owner;
# on every start that user's password is set again from the app's generated secret (single-user mode, before
# the server listens), so the database always accepts the password the app is given.
set -eu
: "${DB_NAME:?DB_NAME is not set}" "${DB_USER:?DB_USER is not set}" "${DB_PASSWORD:?DB_PASSWORD is not set}"
PGDATA=/var/lib/postgresql/data/pgdata
export PGDATA
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "archy-postgres: initialising $PGDATA"
  mkdir -p "$PGDATA"
  pwfile=$(mktemp)
  printf '%s\n' "$DB_PASSWORD" >"$pwfile"
  initdb --username="$DB_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  echo "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\";" | postgres --single -D "$PGDATA" -j postgres >/dev/null
fi
echo "ALTER USER \"$DB_USER\" WITH PASSWORD '$DB_PASSWORD';" | postgres --single -D "$PGDATA" -j postgres >/dev/null
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/run/postgresql
