<?php
/*
 * Makes sure DokuWiki's plain-auth user file (path in argv[1]) has the admin account with the password in
 * DOKUWIKI_ADMIN_PASSWORD, the app's generated secret. Run on every start, idempotently: a stored hash that
 * already matches is kept; otherwise the admin line is (re)written with a bcrypt hash ($2y$, which DokuWiki's
 * PassHash::verify_hash accepts). Other accounts, and the admin's name, e-mail and extra groups, stay.
 * Line format (lib/plugins/authplain): login:passwordhash:Real Name:email:groups,comma,separated
 */
$file = $argv[1] ?? '';
$password = getenv('DOKUWIKI_ADMIN_PASSWORD');
if ($file === '' || $password === false || $password === '') {
    fwrite(STDERR, "admin-account: usage: DOKUWIKI_ADMIN_PASSWORD=... php admin-account.php USERS_FILE\n");
    exit(2);
}
$header = "# users.auth.php\n# <?php exit()?>\n# Don't modify the lines above\n#\n# Userfile\n#\n# Format:\n#\n"
    . "# login:passwordhash:Real Name:email:groups,comma,separated\n\n";
$lines = file_exists($file) ? file($file) : [];
if ($lines === false) {
    fwrite(STDERR, "admin-account: cannot read $file\n");
    exit(1);
}
$out = [];
$found = false;
$changed = false;
foreach ($lines as $line) {
    if (strncmp($line, 'admin:', 6) !== 0) {
        $out[] = $line;
        continue;
    }
    if ($found) { // a second admin line would be ambiguous: drop it
        $changed = true;
        continue;
    }
    $found = true;
    // Split on unescaped colons, as authplain does.
    $parts = preg_split('/(?<![^\\\\]\\\\)\:/', rtrim($line, "\r\n"), 5);
    $hash = $parts[1] ?? '';
    $name = $parts[2] ?? 'Administrator';
    $mail = $parts[3] ?? 'admin@localhost';
    $groups = array_filter(explode(',', $parts[4] ?? ''), 'strlen');
    $want = array_values(array_unique(array_merge(['admin', 'user'], $groups)));
    if (password_verify($password, $hash) && count($want) === count($groups)) {
        $out[] = $line;
        continue;
    }
    $out[] = implode(':', ['admin', password_hash($password, PASSWORD_BCRYPT), $name, $mail, implode(',', $want)]) . "\n";
    $changed = true;
}
if (!$found) {
    if (count($out) === 0) $out[] = $header;
    $out[] = 'admin:' . password_hash($password, PASSWORD_BCRYPT) . ":Administrator:admin@localhost:admin,user\n";
    $changed = true;
}
if (!$changed) exit(0);
$tmp = $file . '.archy-tmp';
if (file_put_contents($tmp, implode('', $out)) === false || !chmod($tmp, 0600) || !rename($tmp, $file)) {
    fwrite(STDERR, "admin-account: cannot write $file\n");
    exit(1);
}
echo "admin-account: the admin account's password is set from the app's secret\n";
