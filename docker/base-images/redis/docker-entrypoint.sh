#!/bin/sh
# As in the official redis image: `-option`s or a config file as first argument run redis-server, and
# protected mode is off by default (the official image compiles it off; Debian's binary has it on),
# since a container's port is only reachable through networks the operator chose.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = redis-server ]; then
  case " $* " in
    *" --protected-mode "*) ;;
    *)
      # A config file that sets protected-mode itself wins.
      if ! { [ -f "${2:-}" ] && grep -Eq '^[[:space:]]*protected-mode[[:space:]]' "$2"; }; then
        set -- "$@" --protected-mode no
      fi
      ;;
  esac
fi
exec "$@"
