#!/usr/bin/env bash
# pg-test.sh — a throwaway PostgreSQL 15 cluster for tests.
#
#   scripts/pg-test.sh start DIR   create (if needed) and start a cluster in DIR; prints its URL
#                                  (also written to DIR/url). Already running: prints the URL.
#   scripts/pg-test.sh stop DIR    stop it and remove DIR (only a DIR this script made).
#   scripts/pg-test.sh url DIR     print the URL of a running cluster.
#
# The cluster listens only on a unix socket in DIR (listen_addresses=''), so nothing else on
# the machine can reach it and the port number only names the socket. It runs with fsync,
# synchronous_commit and full_page_writes off: fast, and worthless after a crash — tests only.
# User `zugong` is the superuser, trust authentication. URL:
#   postgresql://zugong@/postgres?host=DIR&port=PORT
#
# PostgreSQL refuses to run as root: as root, DIR is given to the `postgres` system user and
# initdb/pg_ctl run through `runuser -u postgres --`; DIR's ancestors get o+x where that user
# could not traverse them. Binaries: /usr/lib/postgresql/15/bin, or $PG_BIN.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
MARK=.zugong-pg-test
PG_USER=zugong

die() {
    echo "pg-test: error: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start DIR | stop DIR | url DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir_arg=$2
[ -n "$dir_arg" ] || usage
case "$dir_arg" in
/ | /tmp | /root | /home | /var | /usr | /etc) die "refusing to use $dir_arg as the cluster directory" ;;
esac

# Absolute path without requiring it to exist yet.
abs_dir() {
    local d=$1
    case "$d" in
    /*) ;;
    *) d="$PWD/$d" ;;
    esac
    # collapse trailing slashes
    while [ "${d%/}" != "$d" ] && [ "$d" != "/" ]; do d=${d%/}; done
    printf '%s\n' "$d"
}
DIR=$(abs_dir "$dir_arg")
DATA=$DIR/data

AS=()
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 ||
        die "running as root needs the 'postgres' system user (apt-get install postgresql)"
    AS=(runuser -u postgres --)
fi

pg() { # runs a PostgreSQL binary as the cluster's owner
    "${AS[@]}" "$PG_BIN/$1" "${@:2}"
}

running() {
    [ -f "$DATA/PG_VERSION" ] && pg pg_ctl -D "$DATA" status >/dev/null 2>&1
}

print_url() {
    [ -f "$DIR/url" ] || die "$DIR/url is missing"
    cat "$DIR/url"
}

start() {
    [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] ||
        die "PostgreSQL 15 binaries not found in $PG_BIN (apt-get install postgresql-15, or set PG_BIN)"
    if [ -e "$DIR" ] && [ ! -f "$DIR/$MARK" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
        die "$DIR exists, is not empty and was not made by this script"
    fi
    if running; then
        print_url
        return
    fi

    # The socket path must fit in sun_path (107 bytes): DIR/.s.PGSQL.NNNNN
    [ ${#DIR} -le 90 ] || die "directory path too long for a unix socket: $DIR (max 90 chars)"

    mkdir -p "$DIR"
    touch "$DIR/$MARK"
    chmod 755 "$DIR"
    if [ ${#AS[@]} -gt 0 ]; then
        # Let `postgres` reach DIR: every ancestor needs search (x) permission for it.
        local p=$DIR
        while [ "$p" != "/" ]; do
            p=$(dirname "$p")
            if ! runuser -u postgres -- test -x "$p"; then
                echo "pg-test: note: chmod o+x $p so the postgres user can reach $DIR" >&2
                chmod o+x "$p"
            fi
        done
        chown -R postgres: "$DIR"
    fi

    if [ ! -f "$DATA/PG_VERSION" ]; then
        rm -rf "$DATA"
        pg initdb -D "$DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
            --no-sync >"$DIR/initdb.log" 2>&1 ||
            die "initdb failed; see $DIR/initdb.log:
$(tail -n 20 "$DIR/initdb.log")"
    fi

    # A port number nobody else uses in this directory: the socket file names it.
    local port
    if [ -f "$DIR/port" ]; then
        port=$(cat "$DIR/port")
    else
        port=$((20000 + RANDOM % 40000))
        echo "$port" >"$DIR/port"
    fi
    cat >"$DATA/zugong-test.conf" <<EOF
# written by scripts/pg-test.sh: a test cluster, unsafe for real data
listen_addresses = ''
port = $port
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
log_min_messages = warning
log_min_error_statement = panic
EOF
    grep -q "^include_if_exists = 'zugong-test.conf'" "$DATA/postgresql.conf" ||
        echo "include_if_exists = 'zugong-test.conf'" >>"$DATA/postgresql.conf"
    [ ${#AS[@]} -eq 0 ] || chown -R postgres: "$DIR"

    if ! pg pg_ctl -D "$DATA" -l "$DIR/server.log" -w -t 60 start >/dev/null 2>&1; then
        die "the server did not start; see $DIR/server.log:
$(tail -n 20 "$DIR/server.log" 2>/dev/null)"
    fi
    local url="postgresql://$PG_USER@/postgres?host=$DIR&port=$port"
    echo "$url" >"$DIR/url"
    # Check that the URL works before handing it out.
    if [ -x "$PG_BIN/psql" ]; then
        "$PG_BIN/psql" "$url" -XAtqc 'SELECT 1' >/dev/null 2>&1 ||
            die "the server started but $url does not accept connections; see $DIR/server.log"
    fi
    print_url
}

stop() {
    if [ ! -e "$DIR" ]; then
        echo "pg-test: $DIR does not exist; nothing to stop" >&2
        return
    fi
    [ -f "$DIR/$MARK" ] || die "$DIR was not made by this script; not touching it"
    if running; then
        pg pg_ctl -D "$DATA" -m immediate -w -t 60 stop >/dev/null 2>&1 ||
            die "pg_ctl stop failed; see $DIR/server.log"
    fi
    rm -rf "$DIR"
}

case "$cmd" in
start) start ;;
stop) stop ;;
url)
    running || die "no cluster running in $DIR"
    print_url
    ;;
*) usage ;;
esac
