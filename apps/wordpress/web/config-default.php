<?php
// Read by Debian's wp-config.php. The database password and the keys and salts come from the container's
// environment, which the platform fills from the app's generated secrets.
function archy_env($name, $default = null) {
    $value = getenv($name);
    if ($value === false || $value === '') {
        if ($default === null) {
            header('HTTP/1.1 500 Internal Server Error');
            exit("WordPress is not configured: the environment variable $name is missing.\n");
        }
        return $default;
    }
    return $value;
}

define('DB_NAME', archy_env('WORDPRESS_DB_NAME', 'wordpress'));
define('DB_USER', archy_env('WORDPRESS_DB_USER', 'wordpress'));
define('DB_PASSWORD', archy_env('WORDPRESS_DB_PASSWORD'));
define('DB_HOST', archy_env('WORDPRESS_DB_HOST', 'db'));
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
foreach (['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'] as $archy_key) {
    define($archy_key, archy_env('WORDPRESS_' . $archy_key));
}
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
// A home server is reached by its LAN address or name: links follow the address the browser used.
if (!empty($_SERVER['HTTP_HOST'])) {
    define('WP_HOME', 'http://' . $_SERVER['HTTP_HOST']);
    define('WP_SITEURL', 'http://' . $_SERVER['HTTP_HOST']);
}
// Core updates come with the app's version (the Debian package), never from inside the container.
define('WP_AUTO_UPDATE_CORE', false);
define('AUTOMATIC_UPDATER_DISABLED', true);
