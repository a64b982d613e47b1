#!/usr/bin/env bash
# The official postgres image's entrypoint contract, reduced to what services and tests use:
#   POSTGRES_PASSWORD   required unless POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_USER       superuser (default postgres)       POSTGRES_DB   database (default $POSTGRES_USER)
#   PGDATA              data directory (default /var/lib/postgresql/data), initialised when empty
#   POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD (default scram-sha-256; md5 also works)
#   *_FILE variants of the first three, and /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz on first start.
# Starts as root only to fix ownership, then runs the server as the postgres user.
set -Eeuo pipefail

# file_env VAR [DEFAULT]: VAR or the contents of the file named by VAR_FILE.
file_env() {
  local var=$1 file_var="${1}_FILE" def=${2:-} val
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    echo >&2 "error: both $var and $file_var are set (but are exclusive)"
    exit 1
  fi
  val=$def
  if [[ -n ${!var:-} ]]; then
    val=${!var}
  elif [[ -n ${!file_var:-} ]]; then
    val=$(<"${!file_var}")
  fi
  export "$var"="$val"
  unset "$file_var"
}

psql_run() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

init_database() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  local auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256} args=()
  if [[ -z $POSTGRES_PASSWORD && $auth != trust ]]; then
    cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the superuser.
       For example, "-e POSTGRES_PASSWORD=password" on "docker run".
       (POSTGRES_HOST_AUTH_METHOD=trust allows all connections without a password: not recommended.)
MSG
    exit 1
  fi

  read -r -a args <<<"$POSTGRES_INITDB_ARGS"
  if [[ -n $POSTGRES_PASSWORD ]]; then
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") "${args[@]}"
  else
    initdb --username="$POSTGRES_USER" "${args[@]}"
  fi
  if [[ $auth == md5 ]]; then
    echo "password_encryption = md5" >>"$PGDATA/postgresql.conf"
  fi
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

  # A temporary server on the socket only: clients on the network see nothing until init is complete.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
  export PGPASSWORD=${PGPASSWORD:-$POSTGRES_PASSWORD}
  if [[ $POSTGRES_DB != postgres ]]; then
    local exists
    exists=$(psql_run --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")
    if [[ -z ${exists//[[:space:]]/} ]]; then
      psql_run --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
    fi
  fi
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case $f in
      *.sh)
        if [[ -x $f ]]; then
          echo "running $f"
          "$f"
        else
          echo "sourcing $f"
          # shellcheck disable=SC1090
          . "$f"
        fi
        ;;
      *.sql) echo "running $f"; psql_run --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "running $f"; gunzip -c "$f" | psql_run --dbname "$POSTGRES_DB" ;;
      *) [[ -e $f ]] && echo "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
  echo "PostgreSQL init process complete; ready for start up."
}

if [[ ${1:-} == -* ]]; then
  set -- postgres "$@"
fi

# `postgres --version`, `--help`, `-C setting`... run directly, without initialising anything.
wants_help() {
  local arg
  for arg; do
    case $arg in -'?' | --help | --describe-config | -V | --version | -C | -C*) return 0 ;; esac
  done
  return 1
}

if [[ ${1:-} == postgres ]] && ! wants_help "$@"; then
  if [[ $(id -u) == 0 ]]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    find "$PGDATA" ! -user postgres -exec chown postgres:postgres {} +
    chmod 0700 "$PGDATA" || :
    chown postgres:postgres /var/run/postgresql
    chmod 3777 /var/run/postgresql
    export HOME=/var/lib/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
  fi
  if [[ ! -s $PGDATA/PG_VERSION ]]; then
    init_database
  else
    echo "PostgreSQL database directory appears to contain a database; skipping initialization"
  fi
fi

exec "$@"
