#!/bin/sh
# Prepares the wiki on the data volume, then runs Apache in the foreground as the container's user (www-data;
# it needs no root to listen on 8080).
#   site/data  DokuWiki's savedir (pages, media, revisions, caches); seeded with the package's starter pages
#              on the first start.
#   site/conf  DOKU_CONF (see /etc/dokuwiki/preload.php): local.protected.php is copied from the image on
#              every start; local.php and acl.auth.php are written once; users.auth.php gets the admin account
#              with the generated password on every start (admin-account.php, idempotent).
set -eu
: "${DOKUWIKI_ADMIN_PASSWORD:?DOKUWIKI_ADMIN_PASSWORD is not set}"
share=/usr/local/share/archy-dokuwiki
site=/var/lib/dokuwiki/site
umask 027
mkdir -p "$site/conf" "$site/data"
if [ ! -d "$site/data/pages" ]; then
  echo "archy-dokuwiki: first start, seeding $site/data with the package's starter pages"
  cp -R /var/lib/dokuwiki/data/. "$site/data/"
  cp "$share/start.txt" "$site/data/pages/start.txt"
fi
for d in attic cache index locks log media media_attic media_meta meta pages tmp; do
  mkdir -p "$site/data/$d"
done
cp "$share/local.protected.php" "$site/conf/local.protected.php"
[ -f "$site/conf/local.php" ] || cp "$share/local.php" "$site/conf/local.php"
[ -f "$site/conf/acl.auth.php" ] || cp "$share/acl.auth.php" "$site/conf/acl.auth.php"
# The package's plugin lists and web manifest (DokuWiki looks for them in DOKU_CONF).
for f in plugins.php plugins.required.php manifest.json; do
  ln -sfn "/etc/dokuwiki/$f" "$site/conf/$f"
done
php "$share/admin-account.php" "$site/conf/users.auth.php"
unset DOKUWIKI_ADMIN_PASSWORD
# (No "set -u" from here: Debian's envvars reads variables that may be unset.)
set +u
. /etc/apache2/envvars
exec apache2 -DFOREGROUND
