#!/usr/bin/env sh
# A throwaway PostgreSQL server for the store's tests.
#   sh scripts/postgres.sh          start it (or reuse one running) and print its SQLAlchemy URL;
#                                   prints "started" on the line before the URL when this call
#                                   started the server, so the caller knows to stop it
#   sh scripts/postgres.sh stop     stop it and remove its data folder
# Installs Debian's postgresql with apt-get when the server binaries are missing. Exits non-zero,
# with the reason on stderr, when it cannot.
set -eu
PORT=${ARRIVAL_CITY_PGPORT:-55432}
DIR=${ARRIVAL_CITY_PGDATA:-/tmp/arrival-city-pg}
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN=$(find_bin)
RUN=""
if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
  RUN="runuser -u postgres --"
fi
if [ "${1:-}" = "stop" ]; then
  [ -n "$BIN" ] || exit 0
  if $RUN "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    $RUN "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null
  fi
  rm -rf "$DIR"
  exit 0
fi
if [ -z "$BIN" ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  echo "installing Debian's postgresql ..." >&2
  $SUDO apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2 || {
    echo "could not install postgresql with apt-get" >&2; exit 3; }
  BIN=$(find_bin)
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
    RUN="runuser -u postgres --"
  fi
fi
[ -n "$BIN" ] || { echo "no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 3; }
if [ "$(id -u)" = 0 ] && [ -z "$RUN" ]; then
  echo "no 'postgres' user to run the server as" >&2; exit 3
fi
if ! $RUN "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  $RUN "$BIN/initdb" -D "$DIR" -A trust -U postgres >/dev/null
  $RUN "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1" start >/dev/null
  echo "started"
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
