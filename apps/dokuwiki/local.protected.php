<?php
/*
 * Archipelago's fixed settings, copied from the image on every start (DokuWiki's configuration manager shows
 * them locked). Everything else is set in the configuration manager and kept in local.php on the volume.
 */
$conf['savedir'] = '/var/lib/dokuwiki/site/data';
// Access control on: anonymous visitors read, signed-in users edit (acl.auth.php), the admin group manages.
$conf['useacl'] = 1;
$conf['authtype'] = 'authplain';
$conf['superuser'] = '@admin';
// The XML-RPC / JSON remote API, for the admin account only.
$conf['remote'] = 1;
$conf['remoteuser'] = 'admin';
// Updates come with the app's version (the Debian package), never from inside the container.
$conf['updatecheck'] = 0;
