#!/bin/sh
# The broker's one account is rendered from the app's generated secret on every start (hashed by
# mosquitto_passwd into a file only this container sees), then the broker runs in the foreground.
set -eu
: "${MQTT_USER:?MQTT_USER is not set}" "${MQTT_PASSWORD:?MQTT_PASSWORD is not set}"
umask 077
: >/run/mosquitto/passwd
mosquitto_passwd -b /run/mosquitto/passwd "$MQTT_USER" "$MQTT_PASSWORD"
exec mosquitto -c /etc/mosquitto/archy.conf
