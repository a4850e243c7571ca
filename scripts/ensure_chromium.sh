#!/usr/bin/env bash
# The widget's browser tests need Debian's Chromium. Install it when we may (root, apt);
# otherwise the browser tests skip with a visible reason (or fail under REQUIRE_SERVICES=1).
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium from Debian for the browser tests …"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/dev/null 2>&1 \
    || echo "Could not install Chromium: the browser tests will be skipped."
else
  echo "Chromium is not installed (Debian: apt-get install chromium): the browser tests will be skipped."
fi
exit 0
