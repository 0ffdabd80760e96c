#!/usr/bin/env bash
# Debian packages the test suite needs: fonts with full Vietnamese coverage for
# WeasyPrint, poppler for PDF checks, Chromium for the browser journeys.
# Idempotent: installs only what is missing (needs root, as on the CI machine).
set -euo pipefail
need=()
fc-list 2>/dev/null | grep -q "LiberationSerif-Regular.ttf" && dpkg -s fonts-liberation2 >/dev/null 2>&1 || need+=(fonts-liberation2)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v chromium >/dev/null || need+=(chromium)
command -v fc-list >/dev/null || need+=(fontconfig)
command -v docker-compose >/dev/null || need+=(docker-compose)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "Missing Debian packages: ${need[*]} — install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
