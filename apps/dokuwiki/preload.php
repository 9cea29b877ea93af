<?php
/*
 * Included by Debian's /usr/share/dokuwiki/inc/preload.php before it picks a configuration directory.
 * DokuWiki reads and writes this wiki's own settings, access rules and accounts in the data volume; the
 * package's defaults (dokuwiki.php, mime.conf, ...) stay in /etc/dokuwiki (DOKU_MAIN_CONF).
 */
if (!defined('DOKU_CONF')) define('DOKU_CONF', '/var/lib/dokuwiki/site/conf/');
