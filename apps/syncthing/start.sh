#!/bin/sh
# First start: Syncthing makes its device keys and configuration with the web GUI's admin account (password
# from the app's generated secret). Then it serves; upgrades come with the app's version, never by itself.
set -eu
: "${SYNCTHING_GUI_PASSWORD:?SYNCTHING_GUI_PASSWORD is not set}"
home=/var/syncthing/config
if [ ! -f "$home/config.xml" ]; then
  syncthing generate --home="$home" --gui-user=admin --gui-password="$SYNCTHING_GUI_PASSWORD"
fi
exec syncthing serve --home="$home" --gui-address=0.0.0.0:8384 --no-browser --no-restart --no-upgrade
