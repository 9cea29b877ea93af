# acl.auth.php
# <?php exit()?>
# Don't modify the lines above
#
# Access Control Lists, written by Archipelago on the first start (edit them in DokuWiki's ACL manager).
# Anyone may read; signed-in users may edit and upload; the admin group may do everything.
*               @ALL          1
*               @user         8
