#!/bin/sh
# Prepares the data volume and runs unbound in the foreground on the image's configuration.
# - The node's own name: NODE_ADDRESS is the node's LAN address (the manifest passes {{HOST_IP}}), written as
#   archipelago.home.arpa's record at every start, so a new address is served after the next start. It must
#   be a dotted IPv4 address: anything else would be a configuration line of its own.
# - The DNSSEC root trust anchor is kept on the data volume because unbound updates it itself (RFC 5011
#   key rollover, `auto-trust-anchor-file`): it is seeded once from Debian's dns-root-data copy, never
#   overwritten afterwards, so a rolled key survives restarts and image updates.
# - local.d/ holds the operator's own records and blocklists (`*.conf`, included by the configuration).
# - A control socket left by a killed run would make unbound-control talk to nobody: it is removed first.
# The configuration is checked before the start so a bad file in local.d/ fails with unbound-checkconf's
# message naming the file and line, instead of a bare exit.
set -eu
: "${NODE_ADDRESS:?NODE_ADDRESS is not set}"
if ! printf '%s\n' "$NODE_ADDRESS" | grep -Eqx '([0-9]{1,3}\.){3}[0-9]{1,3}'; then
  echo "archy-unbound: NODE_ADDRESS must be an IPv4 address like 192.168.1.10 (got \"$NODE_ADDRESS\")" >&2
  exit 1
fi
printf 'server:\n  local-data: "archipelago.home.arpa. 300 IN A %s"\n' "$NODE_ADDRESS" >/run/unbound/node.conf
data=/var/lib/unbound
if [ ! -s "$data/root.key" ]; then
  cp /usr/share/dns/root.key "$data/root.key.new"
  mv "$data/root.key.new" "$data/root.key"
fi
mkdir -p "$data/local.d"
rm -f /run/unbound/control.sock
unbound-checkconf /etc/unbound/unbound.conf
exec unbound -d -p -c /etc/unbound/unbound.conf
