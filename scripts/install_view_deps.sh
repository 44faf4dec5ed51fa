#!/usr/bin/env bash
# System packages the views need: Chromium (the browser test renders pages headless),
# Graphviz (renders DOT to SVG) and npm (fetches the page's JavaScript libraries).
# Debian/Ubuntu; installs only what is missing.
set -euo pipefail

want=()
command -v chromium >/dev/null 2>&1 || want+=(chromium)
command -v dot >/dev/null 2>&1 || want+=(graphviz)
command -v npm >/dev/null 2>&1 || want+=(npm)
fc-list 2>/dev/null | grep -qi dejavu || want+=(fonts-dejavu-core)
if [ "${#want[@]}" -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_view_deps: no apt-get here; install ${want[*]} with your package manager" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "install_view_deps: installing ${want[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
