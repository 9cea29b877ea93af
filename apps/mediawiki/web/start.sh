#!/bin/sh
# First start: MediaWiki's own installer creates the wiki's tables and the admin account (password from the
# app's generated secret) and writes LocalSettings.php onto the data volume. Every start: the database
# password and the server address are taken from the environment and the request, and update.php brings the
# schema up to the installed version (a no-op when nothing changed), so an app update migrates the wiki.
# (No "set -u": Debian's envvars reads variables that may be unset.)
set -e
: "${MW_DB_PASSWORD:?MW_DB_PASSWORD is not set}" "${MW_ADMIN_PASSWORD:?MW_ADMIN_PASSWORD is not set}"
# The database may still be starting (after a reboot both members start together): wait for it, bounded.
tries=0
until php -r 'exit(@pg_connect(sprintf("host=%s dbname=%s user=%s password=%s connect_timeout=3", getenv("MW_DB_HOST") ?: "db", getenv("MW_DB_NAME") ?: "mediawiki", getenv("MW_DB_USER") ?: "mediawiki", getenv("MW_DB_PASSWORD"))) ? 0 : 1);'; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "archy-mediawiki: the database at ${MW_DB_HOST:-db} did not answer within 60 s" >&2
    exit 1
  fi
  sleep 1
done
data=/var/lib/archy-mediawiki
settings="$data/LocalSettings.php"
if [ ! -f "$settings" ]; then
  echo "archy-mediawiki: installing the wiki"
  php /usr/share/mediawiki/maintenance/install.php --dbtype=postgres --dbserver="${MW_DB_HOST:-db}" \
    --dbport=5432 --dbname="${MW_DB_NAME:-mediawiki}" --dbuser="${MW_DB_USER:-mediawiki}" \
    --dbpass="$MW_DB_PASSWORD" --pass="$MW_ADMIN_PASSWORD" --server="http://localhost" --scriptpath="" \
    --lang=en --confpath="$data" "${MW_SITE_NAME:-My Wiki}" admin
  cat >>"$settings" <<'PHP'

# Added by the Archipelago app image: the password comes from the app's generated secret, links follow the
# address the browser used.
$wgDBpassword = getenv('MW_DB_PASSWORD');
$wgServer = WebRequest::detectServer();
PHP
fi
php /usr/share/mediawiki/maintenance/update.php --quick
. /etc/apache2/envvars
exec apache2 -DFOREGROUND
