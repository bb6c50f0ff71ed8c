# Shared helpers for scripts/test and scripts/demo (sourced, not run).
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The virtualenv the scripts install Odoo into (from ODOO_SRC).
VENV=${ODOO_VENV:-$ROOT/.venv}
say() { printf '\n==> %s\n' "$*"; }
is_root() { [ "$(id -u)" = 0 ]; }

imports_odoo() { command -v "$1" >/dev/null 2>&1 && "$1" -c 'import odoo.release' >/dev/null 2>&1; }

# Echo the Python to run Odoo with: $ODOO_PYTHON; with ODOO_SRC, the one of $VENV (Odoo installed
# elsewhere is then ignored: see ensure_odoo_from_src); else the first that imports odoo of the
# machine-wide /opt/odoo-venv, $VENV and python3.
find_odoo_python() {
    local py candidates
    if [ -n "${ODOO_PYTHON:-}" ]; then
        candidates=("$ODOO_PYTHON")
    elif [ -n "${ODOO_SRC:-}" ]; then
        candidates=("$VENV/bin/python")
    else
        candidates=(/opt/odoo-venv/bin/python "$VENV/bin/python" python3)
    fi
    for py in "${candidates[@]}"; do
        if imports_odoo "$py"; then
            command -v "$py"
            return 0
        fi
    done
    return 1
}

# Echo odoo-bin next to the odoo package that $1 imports.
find_odoo_bin() {
    local src
    src=$("$1" -c 'import os, odoo; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))))')
    if [ -f "$src/odoo-bin" ]; then echo "$src/odoo-bin"; return 0; fi
    return 1
}

# Install Odoo from $ODOO_SRC into $VENV unless the venv already imports Odoo from that checkout.
ensure_odoo_from_src() {
    local src
    src=$(cd "$ODOO_SRC" 2>/dev/null && pwd -P) || { echo "ODOO_SRC=$ODOO_SRC does not exist" >&2; return 1; }
    if imports_odoo "$VENV/bin/python" && [ "$(find_odoo_bin "$VENV/bin/python" 2>/dev/null)" = "$src/odoo-bin" ]; then
        ensure_gevent_deps "$VENV/bin/python"  # a .venv built before the fix
        return 0
    fi
    say "Installing Odoo from $src into $VENV"
    install_odoo_from_src "$src"
}

# Odoo's source install (pip, as Odoo documents it) into $VENV, with every pin of Odoo's
# requirements.txt but python-ldap: only Odoo's auth_ldap imports it (setup.py's "ldap" extra) and
# it builds against libldap2-dev and libsasl2-dev. psycopg2 is built from Odoo's pin when this machine
# can (pg_config, a C compiler, Python's headers); else its binary wheel of the same version is used,
# so that no compiler and no -dev package is needed.
install_odoo_from_src() {
    local src=$1 pip reqs cons
    [ -f "$src/odoo-bin" ] || { echo "ODOO_SRC=$src is not an Odoo checkout (no odoo-bin)" >&2; return 1; }
    make_venv
    pip="$VENV/bin/pip"
    reqs=$(mktemp --suffix=.txt)
    cons=$(mktemp --suffix=.txt)
    sed -E '/^python-ldap[ =<>;]/d' "$src/requirements.txt" >"$reqs"
    if ! can_build_psycopg2; then
        echo "    No pg_config, C compiler or Python headers here: psycopg2 comes as psycopg2-binary (same version)."
        sed -i -E 's/^psycopg2==/psycopg2-binary==/' "$reqs"
    fi
    echo 'setuptools<81' >"$cons"
    printf '%s\n' "${GEVENT_DEPS[@]}" >>"$cons"
    "$pip" install -q wheel 'setuptools<81' setuptools_scm
    # cbor2's pinned sdist only builds with an old setuptools in its build environment.
    grep -E '^cbor2[ =]' "$reqs" | sed 's/#.*//' | while IFS= read -r req; do
        "$pip" install -q --no-build-isolation "$req"  # pip skips it when its marker does not match
    done
    PIP_CONSTRAINT=$cons "$pip" install -q -r "$reqs"
    # editable_mode=compat (setuptools<81 keeps it): a plain path entry, so that addons installed as
    # packages (odoo/addons/* in site-packages, see README "Packaging") do not hide this odoo package.
    PIP_CONSTRAINT=$cons "$pip" install -q --no-deps --config-settings editable_mode=compat -e "$src"
    # A Norwegian company makes Odoo auto-install account_peppol, which imports phonenumbers.
    "$pip" install -q phonenumbers
    rm -f "$reqs" "$cons"
    ensure_gevent_deps "$VENV/bin/python"
    "$VENV/bin/python" -c 'import odoo.release' || { echo "Odoo does not import from $VENV" >&2; return 1; }
}

# Odoo's gevent process (longpolling/bus, started by `odoo-bin --workers N`) imports gevent, whose pinned
# 22.10.2 finds its plugins with pkg_resources; that looks for the distributions `zope.interface` and
# `zope.event`, and their releases since 2024 (zope.interface 7.2+/8.x, zope.event 5+) name their
# metadata zope_interface/zope_event, which the setuptools<81 Odoo needs does not find: the gevent process
# dies at each start with pkg_resources.DistributionNotFound and the server respawns it in a loop. The
# releases of Odoo 18's time (Ubuntu Noble's zope.interface 6.1) are named the old way. Odoo's other pins
# stay as they are.
GEVENT_DEPS=("zope.interface==6.1" "zope.event==4.6")
ensure_gevent_deps() {
    local py=$1
    "$py" -c 'import gevent' >/dev/null 2>&1 || return 0  # no gevent (e.g. Windows pins): nothing to fix
    if ! "$py" -c 'import pkg_resources; pkg_resources.require("gevent")' >/dev/null 2>&1; then
        say "Installing ${GEVENT_DEPS[*]} for Odoo's gevent process (pkg_resources cannot find zope.*)"
        "$py" -m pip install -q "${GEVENT_DEPS[@]}"
    fi
}

can_build_psycopg2() {
    pg_config --version >/dev/null 2>&1 && "${CC:-cc}" --version >/dev/null 2>&1 \
        && "$VENV/bin/python" -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'
}

# Create the virtualenv $1 (default $VENV) unless it exists.
make_venv() {
    local dir=${1:-$VENV}
    if [ ! -x "$dir/bin/python" ]; then
        if ! python3 -m venv "$dir" 2>/dev/null; then
            # Debian's python3 comes without venv/ensurepip.
            if is_root && command -v apt-get >/dev/null 2>&1; then
                say "Installing python3-venv"
                apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
                rm -rf "$dir"
                python3 -m venv "$dir"
            else
                echo "python3 -m venv failed: install python3-venv" >&2; return 1
            fi
        fi
        "$dir/bin/pip" install -q --upgrade pip
    fi
}

# Start PostgreSQL when nothing answers, and make sure the current user has a superuser role.
ensure_postgres() {
    if ! command -v pg_isready >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
        if is_root && command -v apt-get >/dev/null; then
            say "Installing PostgreSQL"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        else
            echo "PostgreSQL is not installed" >&2; return 1
        fi
    fi
    if ! pg_isready -q 2>/dev/null; then
        local cluster
        cluster=$(pg_lsclusters -h 2>/dev/null | head -1 | awk '{print $1" "$2}')
        if [ -n "$cluster" ]; then
            # shellcheck disable=SC2086
            pg_ctlcluster --skip-systemctl-redirect $cluster start
        fi
        for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
    fi
    pg_isready -q || { echo "PostgreSQL does not answer" >&2; return 1; }
    local me
    me=$(id -un)
    if ! psql -d postgres -Atc 'select 1' >/dev/null 2>&1; then
        if is_root; then
            runuser -u postgres -- psql -q -c "CREATE ROLE \"$me\" SUPERUSER LOGIN" >/dev/null
        else
            echo "No PostgreSQL role for $me; create one: sudo -u postgres createuser -s $me" >&2; return 1
        fi
    fi
}

# Headless Chromium for the browser tour (Odoo looks for these names on PATH). Installs Debian's
# package when run as root; otherwise says what is missing (the tour then fails, it is not skipped).
ensure_chromium() {
    local name
    for name in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$name" >/dev/null 2>&1 && return 0
    done
    if is_root && command -v apt-get >/dev/null 2>&1; then
        say "Installing Chromium for the browser tour"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "Chromium is not installed (apt-get install chromium): the browser tour will FAIL." >&2
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

odoo_addons_path() {
    local odoo_bin=$1 src
    src=$(dirname "$odoo_bin")
    echo "$src/addons,$src/odoo/addons,$ROOT"
}

# OCA's 18.0 modules the glue module prisolve_altinn_reconcile_oca depends on (their PyPI names), with
# the modules they depend on in turn; their own Python needs nothing beyond Odoo's.
OCA_DISTRIBUTIONS=(
    odoo-addon-account_reconcile_oca
    odoo-addon-account_reconcile_model_oca
    odoo-addon-account_statement_base
    odoo-addon-account_statement_import_base
    odoo-addon-account_statement_import_file
    odoo-addon-account_statement_import_camt
)

# Download OCA's wheels from PyPI (no install: the Odoo Python is shared) and extract their addons
# into $1/addons; echo that directory, for an addons path. Cached in $1/wheels.
ensure_oca_addons() {
    local py=$1 dir=$2 specs=() dist
    for dist in "${OCA_DISTRIBUTIONS[@]}"; do specs+=("$dist>=18.0,<18.1"); done
    mkdir -p "$dir/wheels" "$dir/addons"
    "$py" -m pip download -q --no-deps --only-binary=:all: -d "$dir/wheels" "${specs[@]}" >&2
    "$py" - "$dir" <<'PY'
import sys, zipfile
from pathlib import Path
root = Path(sys.argv[1])
for wheel in sorted((root / "wheels").glob("*.whl")):
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith("odoo/addons/"):
                target = root / "addons" / name[len("odoo/addons/"):]
                if not name.endswith("/"):
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.read(name))
PY
    echo "$dir/addons"
}
