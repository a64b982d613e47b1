#!/bin/sh
# As in the official node image: arguments that are an option (-e ...), a non-executable file
# (app.js) or not a command at all are run with node.
set -e
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1" || true)" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
