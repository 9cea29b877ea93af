<?php
// Read last by Debian's /etc/phpmyadmin/config.inc.php. The one server is the app's own MariaDB member; people
// sign in with its account (credentials in Archipelago). The cookie encryption key is a generated secret.
$archy_secret = getenv('PMA_BLOWFISH_SECRET');
if ($archy_secret === false || strlen($archy_secret) !== 32) {
    header('HTTP/1.1 500 Internal Server Error');
    exit("phpMyAdmin is not configured: PMA_BLOWFISH_SECRET must be 32 characters.\n");
}
$cfg['blowfish_secret'] = $archy_secret;
$cfg['Servers'][1]['host'] = getenv('PMA_DB_HOST') ?: 'db';
$cfg['Servers'][1]['port'] = '3306';
$cfg['Servers'][1]['auth_type'] = 'cookie';
$cfg['Servers'][1]['AllowNoPassword'] = false;
$cfg['Servers'][1]['AllowRoot'] = false;
$cfg['Servers'][1]['controluser'] = '';
$cfg['Servers'][1]['controlpass'] = '';
$cfg['Servers'][1]['pmadb'] = '';
$cfg['TempDir'] = '/var/lib/phpmyadmin/tmp';
$cfg['VersionCheck'] = false;
