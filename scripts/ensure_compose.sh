#!/usr/bin/env bash
# tests/test_deployment_files.py validates docker-compose.yml with Compose itself: the
# `docker compose` v2 plugin where it is installed, else Debian's `docker-compose` (v1.29, it
# needs no Docker engine for `config`). Install the latter when we may (root, apt) – without
# Recommends, so no Docker engine comes along; otherwise the compose tests skip with a visible
# reason (or fail under REQUIRE_SERVICES=1).
docker compose version >/dev/null 2>&1 && exit 0
command -v docker-compose >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing docker-compose from Debian to validate docker-compose.yml …"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose) >/dev/null 2>&1 \
    || echo "Could not install docker-compose: the compose file tests will be skipped."
else
  echo "docker-compose is not installed (Debian: apt-get install --no-install-recommends docker-compose): the compose file tests will be skipped."
fi
exit 0
