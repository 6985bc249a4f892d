#!/bin/sh
# Install what building, testing and the demo need on Debian 12, and only what is missing.
set -eu

packages="meson ninja-build pkg-config gcc libc6-dev python3 python3-pip
libsystemd-dev libcurl4-openssl-dev libssl-dev libconfig-dev libsqlite3-dev libexpat1-dev libjson-c-dev
check clang-format systemd groff-base man-db sqlite3 util-linux
debhelper dpkg-dev lintian rpm"

missing=""
for p in $packages; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
                missing="$missing $p"
        fi
done

sudo=""
if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
fi

if [ -n "$missing" ]; then
        echo "setup-deps: installing:$missing"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# promtool checks the shipped alerting rules (packaging/monitoring). It comes only with the prometheus
# package, whose server must not start here: policy-rc.d refuses it for the time of the install.
if ! command -v promtool >/dev/null 2>&1; then
        echo "setup-deps: installing prometheus (for promtool; its service is not started)"
        guard=""
        if [ ! -e /usr/sbin/policy-rc.d ]; then
                printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
                $sudo chmod 755 /usr/sbin/policy-rc.d
                guard=1
        fi
        [ -n "$missing" ] || $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null ||
                echo "setup-deps: prometheus could not be installed: the promtool test will be skipped"
        if [ -n "$guard" ]; then
                $sudo rm -f /usr/sbin/policy-rc.d
        fi
fi

# The local AWS world is moto, in-process; boto3 drives its own test suite.
if ! python3 -c 'import moto, flask, boto3' 2>/dev/null; then
        echo "setup-deps: installing moto[server] and boto3 with pip"
        python3 -m pip install --quiet 'moto[server]' boto3 ||
                python3 -m pip install --quiet --break-system-packages 'moto[server]' boto3
fi
