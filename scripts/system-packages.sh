#!/usr/bin/env bash
# System packages the tests use beyond the services (those are `provgraph services up`'s):
# pdftoppm (poppler-utils) renders the PDF report's pages to PNG; Chromium renders the HTML
# views in the browser test; Graphviz's dot renders DOT to SVG; npm fetches the views'
# JavaScript (`make js`); DejaVu fonts for the pages and pictures. Installs only what is
# missing, with apt-get, as root; says what to run otherwise.
set -euo pipefail

declare -A NEEDED=([pdftoppm]=poppler-utils [chromium]=chromium [dot]=graphviz [npm]=npm)

missing=()
for tool in "${!NEEDED[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("${NEEDED[$tool]}")
done
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing system packages: ${missing[*]} (apt-get install -y ${missing[*]} as root)" >&2
    exit 1
fi
echo "installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
