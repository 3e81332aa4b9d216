#!/bin/bash
# Container health check: GET /healthz on HOLDFAST_METRICS_ADDR, healthy on
# HTTP 200 (gateway connected, database writable). Needs only bash (no curl in
# the image). Healthy when the endpoint is turned off: nothing to ask.
set -euo pipefail
addr="${HOLDFAST_METRICS_ADDR:-}"
[ -n "$addr" ] || exit 0
host="${addr%:*}"
port="${addr##*:}"
host="${host#[}"
host="${host%]}"
case "$host" in
    0.0.0.0 | "" | localhost) host=127.0.0.1 ;;
    ::) host=::1 ;;
esac
exec 3<>"/dev/tcp/$host/$port"
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 4 status <&3
case "$status" in
    "HTTP/1."?" 200 "*) exit 0 ;;
    *) echo "holdfast unhealthy: ${status:-no answer}"; exit 1 ;;
esac
