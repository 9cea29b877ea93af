#!/bin/sh
# Starts MariaDB for one app. On the first start the data directory is initialised; on every start the app's
# database and user are (re)declared with the password from the app's generated secret, so the database always
# accepts the password the app is given (the statements are idempotent).
set -eu
: "${DB_NAME:?DB_NAME is not set}" "${DB_USER:?DB_USER is not set}" "${DB_PASSWORD:?DB_PASSWORD is not set}"
datadir=/var/lib/mysql
if [ ! -d "$datadir/mysql" ]; then
  echo "archy-mariadb: initialising $datadir"
  mariadb-install-db --user="$(id -un)" --datadir="$datadir" --auth-root-authentication-method=socket \
    --skip-test-db >/dev/null
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
