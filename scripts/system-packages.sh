#!/usr/bin/env bash
# Checks (and, where allowed, installs) the Debian/Ubuntu packages LPC 360 needs.
#   scripts/system-packages.sh run    what the product needs (WeasyPrint's libraries, fonts)
#   scripts/system-packages.sh test   the above plus Chromium for the browser tests
# Installs with apt-get when running as root or with password-less sudo; otherwise prints
# the command to run and stops.
set -euo pipefail

purpose=${1:-run}
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2)
if [ "$purpose" = test ]; then
    packages+=(chromium)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
# A fresh Debian's Python cannot make virtual environments without python3-venv.
"${PYTHON:-python3}" -c "import ensurepip, venv" 2>/dev/null || missing+=(python3-venv)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "LPC 360 needs these system packages: ${missing[*]}"
echo "  (WeasyPrint draws the PDF reports with Pango and HarfBuzz; Liberation Sans stands in"
echo "   for Arial; the browser tests drive Debian's Chromium.)"
if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo="sudo"
else
    echo "Install them and run this again:"
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
fi
echo "Installing them with apt-get…"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
