#!/bin/sh
# Starts MariaDB for one app. On the first start the data directory is initialised; on every start the app's
# database and user are (re)declared with the password from the app's generated secret, so the database always
# accepts the password the app is given (the statements are idempotent).
set -eu
: "${DB_NAME:?DB_NAME is not set}" "${DB_USER:?DB_USER is not set}" "${DB_PASSWORD:?DB_PASSWORD is not set}"
datadir=/var/lib/mysql
marker="$datadir/.archy-initialised"
staging="$datadir/.archy-init"
# The first start initialises into a staging folder and moves it into place only when it is complete, so a
# first start killed half-way is simply redone instead of leaving a data directory MariaDB cannot open.
if [ ! -f "$marker" ]; then
  if [ -f "$staging/.archy-initialised" ]; then
    echo "archy-mariadb: finishing the move of a completed initialisation"
  elif [ -d "$datadir/mysql" ]; then
    # Initialised before this marker existed: the data is complete, keep it.
    :
  else
    echo "archy-mariadb: initialising $datadir"
    rm -rf "$staging"
    mariadb-install-db --user="$(id -un)" --datadir="$staging" --auth-root-authentication-method=socket \
      --skip-test-db >/dev/null
    touch "$staging/.archy-initialised"
  fi
  if [ -d "$staging" ]; then
    for entry in "$staging"/* "$staging"/.archy-initialised; do
      if [ -e "$entry" ]; then mv "$entry" "$datadir"/; fi
    done
    rmdir "$staging"
  fi
  touch "$marker"
fi
umask 077
cat >/run/mysqld/init.sql <<SQL
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'%';
SQL
exec mariadbd --datadir="$datadir" --init-file=/run/mysqld/init.sql --bind-address=0.0.0.0 --port=3306 \
  --socket=/run/mysqld/mysqld.sock --skip-name-resolve
