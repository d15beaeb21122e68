#!/usr/bin/env bash
# Installs every external validator archmap's tests use, so that `cargo test` skips none of
# its checks: Graphviz, man, script, Chromium (Debian packages); the Mermaid parser, the SARIF
# multitool, action-validator and playwright-core (npm, each in its folder under tests/);
# pre-commit, MkDocs, junitparser, xmlschema and hadolint (PyPI). Safe to run again: what is
# installed already is left alone. Debian or Ubuntu, as root (or with sudo on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo=sudo; fi
updated=""
apt_install() {
    if [ -z "$updated" ]; then
        $sudo apt-get update -qq
        updated=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v dot >/dev/null 2>&1 || apt_install graphviz
command -v man >/dev/null 2>&1 || apt_install man-db
command -v script >/dev/null 2>&1 || apt_install bsdutils
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || apt_install chromium
command -v npm >/dev/null 2>&1 || apt_install nodejs npm
command -v pip >/dev/null 2>&1 || command -v pip3 >/dev/null 2>&1 || apt_install python3-pip
pip=$(command -v pip || command -v pip3)

for harness in tests/mermaid tests/sarif tests/recipes tests/browser; do
    # `npm ci` again only when the lock file changed since the last install.
    if [ -f "$harness/package.json" ] && ! [ "$harness/node_modules/.package-lock.json" -nt "$harness/package-lock.json" ]; then
        (cd "$harness" && npm ci --no-audit --no-fund --loglevel=error)
    fi
done

for requirements in tests/recipes/requirements.txt tests/ci-formats/requirements.txt; do
    "$pip" install --quiet --disable-pip-version-check -r "$requirements" 2>/dev/null \
        || "$pip" install --quiet --disable-pip-version-check --break-system-packages -r "$requirements"
done
echo "test tools installed"
