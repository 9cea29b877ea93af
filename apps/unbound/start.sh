#!/bin/sh
# Prepares the data volume and runs unbound in the foreground on the configuration the platform rendered.
# - The DNSSEC root trust anchor is kept on the data volume because unbound updates it itself (RFC 5011
#   key rollover, `auto-trust-anchor-file`): it is seeded once from Debian's dns-root-data copy, never
#   overwritten afterwards, so a rolled key survives restarts and image updates.
# - local.d/ holds the operator's own records and blocklists (`*.conf`, included by the configuration).
# - A control socket left by a killed run would make unbound-control talk to nobody: it is removed first.
# The configuration is checked before the start so a bad file in local.d/ fails with unbound-checkconf's
# message naming the file and line, instead of a bare exit.
set -eu
data=/var/lib/unbound
if [ ! -s "$data/root.key" ]; then
  cp /usr/share/dns/root.key "$data/root.key.new"
  mv "$data/root.key.new" "$data/root.key"
fi
mkdir -p "$data/local.d"
rm -f /run/unbound/control.sock
unbound-checkconf /etc/unbound/unbound.conf
exec unbound -d -p -c /etc/unbound/unbound.conf
