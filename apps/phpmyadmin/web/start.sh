#!/bin/sh
# Apache in the foreground as the container's user (www-data); it needs no root to listen on 8080.
# (No "set -u": Debian's envvars reads variables that may be unset.)
set -e
. /etc/apache2/envvars
exec apache2 -DFOREGROUND
