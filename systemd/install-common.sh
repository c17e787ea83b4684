# shellcheck shell=bash
# Shared by systemd/install-pi and systemd/install-manager (sourced, never run): options,
# reporting, users and groups, files with owners and modes, the virtual environment.
# Everything here is idempotent: a second run with the same options changes nothing and says
# what it left alone.

# --- Options -------------------------------------------------------------------------------
FD_CHECKOUT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT_DIR=/
R=""                       # ROOT_DIR without its trailing slash: "" for the real /
USE_APT=1
USE_SYSTEMD=1
FROM=$FD_CHECKOUT
SITE=hq
MQTT_PORT=1883
PYTHON=/usr/bin/python3
SHIFT_BY=0

die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# common_option "$@": handles one of the options both installers take; sets SHIFT_BY to the
# number of words it used, or returns 1 when "$1" is not one of them.
common_option() {
    local value=${2-}
    case $1 in
        --root|--from|--site|--mqtt-port|--python)
            [[ $# -ge 2 ]] || die "$1 needs a value" ;;
    esac
    case $1 in
        --root) ROOT_DIR=$value ;;
        --from) FROM=$value ;;
        --site) SITE=$value ;;
        --mqtt-port) MQTT_PORT=$value ;;
        --python) PYTHON=$value ;;
        --no-apt) USE_APT=0; SHIFT_BY=1; return 0 ;;
        --no-systemd) USE_SYSTEMD=0; SHIFT_BY=1; return 0 ;;
        *) return 1 ;;
    esac
    SHIFT_BY=2
}

# The same name rules as the config (contract: DeviceId): they also keep sed safe below.
check_id() {
    [[ $2 =~ ^[a-z0-9][a-z0-9_-]*$ ]] || die "$1 '$2': use lowercase letters, digits, - and _"
}

finish_options() {
    [[ $EUID -eq 0 ]] || die "run me as root (sudo $0 ...)"
    check_id --site "$SITE"
    [[ $MQTT_PORT =~ ^[0-9]+$ ]] && ((MQTT_PORT >= 1 && MQTT_PORT <= 65535)) || die "--mqtt-port '$MQTT_PORT' is not a port"
    [[ -x $PYTHON ]] || die "--python $PYTHON is not an executable"
    [[ $ROOT_DIR == /* ]] || ROOT_DIR=$(pwd)/$ROOT_DIR
    mkdir -p "$ROOT_DIR"
    ROOT_DIR=$(cd "$ROOT_DIR" && pwd)
    R=${ROOT_DIR%/}
    [[ -e $FROM ]] || die "--from $FROM does not exist"
    FROM=$(realpath "$FROM")
    [[ $R == *[[:space:]\#\&\\]* ]] && die "--root $ROOT_DIR: no spaces, '#', '&' or backslashes, please"
    # Files for other users (the venv, the config) must be readable by them.
    umask 022
    VENV=$R/opt/frontdesk
    ETC=$R/etc/frontdesk
    CONFIG=$ETC/frontdesk.toml
    MADE=()
    KEPT=()
    NOTES=()
}

# --- Reporting -------------------------------------------------------------------------------
made() { MADE+=("$1"); printf '  made:       %s\n' "$1"; }
kept() { KEPT+=("$1"); printf '  left alone: %s\n' "$1"; }
note() { NOTES+=("$1"); printf '  note:       %s\n' "$1"; }
step() { printf '\n== %s\n' "$1"; }

summary() {
    local item
    step "Summary"
    printf 'Made or changed (%d):\n' "${#MADE[@]}"
    for item in "${MADE[@]}"; do printf '  %s\n' "$item"; done
    printf 'Left alone (%d):\n' "${#KEPT[@]}"
    for item in "${KEPT[@]}"; do printf '  %s\n' "$item"; done
    if ((${#NOTES[@]})); then
        printf 'Notes:\n'
        for item in "${NOTES[@]}"; do printf '  %s\n' "$item"; done
    fi
    if ((${#MADE[@]} == 0)); then
        printf 'Nothing changed: everything was already in place.\n'
    fi
}

# --- Debian packages -------------------------------------------------------------------------
apt_packages() {
    local package missing=()
    if ((!USE_APT)); then kept "Debian packages (--no-apt)"; return; fi
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    if ((${#missing[@]} == 0)); then kept "Debian packages: all ${#} installed"; return; fi
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    made "Debian packages: ${missing[*]}"
}

# --- Users and groups ------------------------------------------------------------------------
ensure_group() {
    if getent group "$1" >/dev/null; then kept "group $1"; return; fi
    if command -v addgroup >/dev/null; then addgroup --quiet --system "$1"; else groupadd --system "$1"; fi
    made "group $1"
}

# ensure_user NAME HOME: a system user with a group of its own, no login, no home directory.
ensure_user() {
    if getent passwd "$1" >/dev/null; then kept "user $1"; return; fi
    if command -v adduser >/dev/null; then
        if getent group "$1" >/dev/null; then
            adduser --quiet --system --ingroup "$1" --no-create-home --home "$2" --shell /usr/sbin/nologin "$1"
        else
            adduser --quiet --system --group --no-create-home --home "$2" --shell /usr/sbin/nologin "$1"
        fi
    else
        useradd --system --user-group --no-create-home --home-dir "$2" --shell /usr/sbin/nologin "$1"
    fi
    made "user $1"
}

# add_to_groups USER GROUP...: the groups that exist on this machine; the others are named.
add_to_groups() {
    local user=$1 group absent=() added=() present=()
    shift
    for group in "$@"; do
        if ! getent group "$group" >/dev/null; then absent+=("$group")
        elif id -nG "$user" | tr ' ' '\n' | grep -qx "$group"; then present+=("$group")
        else usermod -aG "$group" "$user"; added+=("$group")
        fi
    done
    ((${#added[@]})) && made "user $user added to group(s) ${added[*]}"
    ((${#present[@]})) && kept "user $user in group(s) ${present[*]}"
    ((${#absent[@]})) && note "user $user: group(s) ${absent[*]} do not exist on this machine, skipped"
    return 0
}

# --- Files and folders -----------------------------------------------------------------------
# ensure_perms PATH OWNER GROUP MODE: sets them if they differ (and says so).
ensure_perms() {
    local want="$2:$3 $((8#$4))" have
    have=$(stat -c '%U:%G %a' "$1")
    have="${have% *} $((8#${have##* }))"
    if [[ $have != "$want" ]]; then
        chown "$2:$3" "$1"
        chmod "$4" "$1"
        made "$1: owner and mode set to $2:$3 $4 (were ${have% *})"
    fi
}

# ensure_dir PATH OWNER GROUP MODE
ensure_dir() {
    if [[ -d $1 ]]; then kept "$1/"; else install -d -o "$2" -g "$3" -m "$4" "$1"; made "$1/"; fi
    ensure_perms "$1" "$2" "$3" "$4"
}

# sync_file NEW DEST OWNER GROUP MODE: DEST becomes NEW (a file of the package: the units).
sync_file() {
    if [[ -f $2 ]] && cmp -s "$1" "$2"; then kept "$2"
    else
        local what="made"; [[ -e $2 ]] && what="updated"
        install -D -o "$3" -g "$4" -m "$5" "$1" "$2"
        MADE+=("$2 ($what)"); printf '  %-11s %s\n' "$what:" "$2"
    fi
    ensure_perms "$2" "$3" "$4" "$5"
}

# keep_file NEW DEST OWNER GROUP MODE: DEST is written only if absent (it may be edited by
# hand). When it differs from NEW, NEW is left beside it as DEST.frontdesk-new to compare.
keep_file() {
    if [[ ! -e $2 ]]; then
        install -D -o "$3" -g "$4" -m "$5" "$1" "$2"
        made "$2"
    else
        kept "$2"
        if ! cmp -s "$1" "$2"; then
            if [[ -f $2.frontdesk-new ]] && cmp -s "$1" "$2.frontdesk-new"; then :
            else install -o root -g root -m 0600 "$1" "$2.frontdesk-new"
            fi
            note "$2 differs from what this install would write: compare it with $2.frontdesk-new"
        fi
    fi
    ensure_perms "$2" "$3" "$4" "$5"
}

# password_file PATH OWNER GROUP MODE: a new random password, only if the file is absent.
password_file() {
    if [[ -e $1 ]]; then kept "$1 (password unchanged)"
    else
        install -D -o "$2" -g "$3" -m "$4" /dev/stdin "$1" <<<"$(new_password)"
        made "$1 (a new random password)"
    fi
    ensure_perms "$1" "$2" "$3" "$4"
}

new_password() { "$PYTHON" -c 'import secrets; print(secrets.token_hex(16))'; }

# --- The virtual environment at /opt/frontdesk ----------------------------------------------
# install_venv EXTRA: $PYTHON -m venv $VENV, then pip install "$FROM[EXTRA]" unless the stamp
# says this very source (its hash) is installed with this extra and this Python.
install_venv() {
    local extra=$1 stage="" source hash stamp want
    step "Frontdesk in $VENV ([$extra] from $FROM)"
    if [[ -e $VENV && ! -f $VENV/pyvenv.cfg ]] && [[ -n $(ls -A "$VENV") ]]; then
        die "$VENV exists and is not a virtual environment (an install of the old layout, with .venv inside?): move it away first"
    fi
    if [[ -x $VENV/bin/python ]] && "$VENV/bin/python" -c '' 2>/dev/null; then kept "$VENV (virtual environment)"
    else
        "$PYTHON" -m venv "$VENV"
        made "$VENV (virtual environment, $("$PYTHON" -V))"
    fi
    if [[ -f $FROM ]]; then
        source=$FROM
        hash=$(sha256sum "$FROM" | cut -d' ' -f1)
    else
        # Build from a copy of what goes into the wheel (pyproject's package folders), so that
        # the checkout is not written to (build/, *.egg-info) and the hash ignores tests and docs.
        stage=$(mktemp -d /tmp/frontdesk-install.XXXXXX)
        # shellcheck disable=SC2064
        trap "rm -rf '$stage'" EXIT
        stage_source "$FROM" "$stage/frontdesk"
        source=$stage/frontdesk
        hash=$(cd "$source" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
    fi
    stamp=$VENV/.frontdesk-installed
    want="$hash [$extra] $("$VENV/bin/python" -V 2>&1)"
    if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
        kept "frontdesk[$extra] in $VENV (the same source, ${hash:0:12})"
    else
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
            --upgrade --force-reinstall --no-deps "$source"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-warn-script-location "$source[$extra]"
        printf '%s\n' "$want" >"$stamp"
        made "frontdesk[$extra] installed in $VENV (source ${hash:0:12})"
    fi
    [[ -n $stage ]] && rm -rf "$stage"
    trap - EXIT
    return 0
}

# stage_source CHECKOUT DEST: pyproject.toml, README and the package folders it names.
stage_source() {
    local dirs dir file
    [[ -f $1/pyproject.toml ]] || die "--from $1: no pyproject.toml there"
    dirs=$("$PYTHON" - "$1/pyproject.toml" <<'EOF'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    setup = tomllib.load(f).get("tool", {}).get("setuptools", {})
print("\n".join(sorted({d.split("/")[0] for d in setup.get("package-dir", {}).values()})))
EOF
)
    mkdir -p "$2"
    for file in pyproject.toml README.md README.rst LICENSE LICENSE.txt setup.py setup.cfg MANIFEST.in; do
        [[ -f $1/$file ]] && cp -p "$1/$file" "$2/"
    done
    for dir in $dirs; do
        [[ -d $1/$dir ]] || die "--from $1: pyproject.toml names the folder $dir, which is missing"
        tar -C "$1" --exclude=__pycache__ --exclude='*.pyc' -cf - "$dir" | tar -C "$2" -xf -
    done
}

venv_size() {
    printf 'The virtual environment %s takes %s.\n' "$VENV" "$(du -sh "$VENV" | cut -f1)"
}

# render_unit NAME: the unit from systemd/ with its paths under --root.
render_unit() {
    sed -e "s#/opt/frontdesk/bin/#$VENV/bin/#g" -e "s#--config /etc/frontdesk/#--config $ETC/#g" \
        -e "s#file:///usr/share/doc/frontdesk/#file://$R/usr/share/doc/frontdesk/#" "$FD_CHECKOUT/systemd/$1"
}

# install_docs: docs/*.md where the units' Documentation= lines point.
install_docs() {
    local page
    for page in "$FD_CHECKOUT"/docs/*.md; do
        sync_file "$page" "$R/usr/share/doc/frontdesk/${page##*/}" root root 644
    done
}

# render_unit_env NAME: as render_unit, with FRONTDESK_CONFIG set when --root is given.
render_unit_with_config() {
    if [[ -n $R ]]; then
        render_unit "$1" | sed -e "/^\[Service\]$/a Environment=FRONTDESK_CONFIG=$CONFIG"
    else
        render_unit "$1"
    fi
}

systemctl_do() {
    if ((USE_SYSTEMD)); then
        if systemctl "$@"; then made "systemctl $*"; else note "systemctl $* failed"; fi
    fi
    return 0
}

# check_as USER COMMAND...: the program's own config check, as the user it runs as.
check_as() {
    local user=$1
    shift
    printf '$ runuser -u %s -- %s\n' "$user" "$*"
    # A clean environment, as systemd gives the services (nothing of root's, such as a cache
    # folder under /root that the user could not write).
    if runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME=/nonexistent \
        FRONTDESK_CONFIG="$CONFIG" "$@"; then
        CHECKS_OK+=("$user")
    else
        CHECKS_FAILED+=("$user: $*")
    fi
}
CHECKS_OK=()
CHECKS_FAILED=()
