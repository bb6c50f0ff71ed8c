# Shared helpers for scripts/test and scripts/demo (sourced, not run).
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf '\n==> %s\n' "$*"; }

# Echo the first Python that imports odoo: $ODOO_PYTHON, the machine-wide
# Odoo venv, the repo's .venv, then python3.
find_odoo_python() {
    local py
    for py in "${ODOO_PYTHON:-}" /opt/odoo-venv/bin/python "$ROOT/.venv/bin/python" python3; do
        [ -n "$py" ] || continue
        if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import odoo.release' >/dev/null 2>&1; then
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

# Odoo's source install into $ROOT/.venv (pip, as Odoo documents it), from $ODOO_SRC.
install_odoo_from_src() {
    local src=$1
    [ -f "$src/odoo-bin" ] || { echo "ODOO_SRC=$src is not an Odoo checkout (no odoo-bin)" >&2; return 1; }
    make_venv
    local pip="$ROOT/.venv/bin/pip"
    local cons
    cons=$(mktemp)
    echo 'setuptools<81' >"$cons"
    # cbor2's pinned sdist only builds with an old setuptools in its build environment.
    "$pip" install -q wheel 'setuptools<81' setuptools_scm
    "$pip" install -q --no-build-isolation "$(grep -E '^cbor2==' "$src/requirements.txt" | head -1 | cut -d' ' -f1 | cut -d';' -f1)" || true
    PIP_CONSTRAINT=$cons "$pip" install -q -r "$src/requirements.txt"
    "$pip" install -q --no-deps -e "$src"
    "$pip" install -q phonenumbers
    rm -f "$cons"
}

make_venv() {
    if [ ! -x "$ROOT/.venv/bin/python" ]; then
        python3 -m venv "$ROOT/.venv"
        "$ROOT/.venv/bin/pip" install -q --upgrade pip
    fi
}

# Start PostgreSQL when nothing answers, and make sure the current user has a superuser role.
ensure_postgres() {
    if ! command -v pg_isready >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
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
        if [ "$(id -u)" = 0 ]; then
            runuser -u postgres -- psql -q -c "CREATE ROLE \"$me\" SUPERUSER LOGIN" >/dev/null
        else
            echo "No PostgreSQL role for $me; create one: sudo -u postgres createuser -s $me" >&2; return 1
        fi
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
