<?php
/*
 * Dokuwiki's Main Configuration File - Local Settings
 * Written by Archipelago on the first start; DokuWiki's configuration manager edits it from then on.
 */
$conf['title'] = 'DokuWiki';
$conf['license'] = 'cc-by-sa';
// Nobody signs up on their own: the admin adds accounts in the user manager.
$conf['disableactions'] = 'register';
