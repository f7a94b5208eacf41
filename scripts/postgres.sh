#!/usr/bin/env sh
# Start a throwaway PostgreSQL server for the store's tests and print its SQLAlchemy URL.
# Installs Debian's postgresql with apt-get when the server binaries are missing. Reuses a server
# it started before. Exits non-zero, with the reason on stderr, when it cannot.
set -eu
PORT=${ARRIVAL_CITY_PGPORT:-55432}
DIR=${ARRIVAL_CITY_PGDATA:-/tmp/arrival-city-pg}
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN=$(find_bin)
if [ -z "$BIN" ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  echo "installing Debian's postgresql ..." >&2
  $SUDO apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2 || {
    echo "could not install postgresql with apt-get" >&2; exit 3; }
  BIN=$(find_bin)
fi
[ -n "$BIN" ] || { echo "no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 3; }
RUN=""
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "no 'postgres' user to run the server as" >&2; exit 3; }
  RUN="runuser -u postgres --"
fi
if ! $RUN "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  $RUN "$BIN/initdb" -D "$DIR" -A trust -U postgres >/dev/null
  $RUN "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1" start >/dev/null
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
