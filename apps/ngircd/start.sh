#!/bin/sh
# Renders ngIRCd's configuration from the app's generated secrets on every start, then runs the server in the
# foreground. The passwords reach this script through its environment and go into a file only this
# container's user can read (ngIRCd reads them from its configuration and has no other way to take them);
# the here-document keeps them off every command line. No [Server] section: this server links to no other,
# so it is a chat server for the people who know its password and never part of a wider network.
set -eu
: "${IRC_PASSWORD:?IRC_PASSWORD is not set}" "${IRC_OPER_PASSWORD:?IRC_OPER_PASSWORD is not set}"
CONF=/run/ngircd/ngircd.conf
umask 077
cat >"$CONF" <<CONF
# Rendered by /usr/local/bin/archy-ngircd on every start; edits here are lost.
[Global]
	Name = irc.archipelago.local
	Info = ngIRCd on Archipelago
	AdminInfo1 = The operator of this Archipelago node
	AdminInfo2 = Ask in #archipelago
	AdminEMail = operator@irc.archipelago.local
	Listen = 0.0.0.0
	Ports = 6667
	# Every client sends this password (PASS) before it may register.
	Password = ${IRC_PASSWORD}
	MotdPhrase = "Welcome to the chat server of this Archipelago node."

[Limits]
	MaxConnections = 200
	# Rootless port forwarding can show every client with one source address: no per-address limit.
	MaxConnectionsIP = 0
	MaxJoins = 20
	PingTimeout = 120
	PongTimeout = 20

[Options]
	# The connect password above needs PAM off (with PAM on, ngIRCd ignores it).
	PAM = no
	# No reverse DNS or ident look-ups: inside the container they only delay each sign-in.
	DNS = no
	Ident = no
	AllowRemoteOper = no
	OperCanUseMode = yes
	# The data volume: the operator's own *.conf snippets (pre-defined channels, say), read after this file,
	# again on every start and on an operator's REHASH.
	IncludeDir = /var/lib/ngircd/conf.d

[Operator]
	Name = archy
	Password = ${IRC_OPER_PASSWORD}

# The lobby: made by the server at start and kept while empty.
[Channel]
	Name = #archipelago
	Topic = Chat on this Archipelago node
	Modes = +tn
CONF
unset IRC_PASSWORD IRC_OPER_PASSWORD
exec ngircd --nodaemon --config "$CONF"
