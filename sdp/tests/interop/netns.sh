#!/usr/bin/env bash
# Runs CMD in a fresh private network namespace whose only interface is lo (brought up), so
# nothing it starts can send a packet anywhere but this namespace's 127.0.0.1/::1.
#
#   sdp/tests/interop/netns.sh CMD [ARGS...]
#
# As root: `unshare -n`; otherwise `unshare -rn` (a user namespace mapped to root). When CMD
# exits, any process it left behind in the namespace is killed (nothing else can be in it).
set -u
if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi
if [ "$1" = --inside ]; then
  shift
  ip link set lo up || { echo "netns.sh: ip link set lo up failed" >&2; exit 4; }
  me=$(readlink /proc/$$/ns/net)
  leftovers() { # PIDs in this namespace other than this shell
    local p
    for p in /proc/[0-9]*; do
      [ "${p#/proc/}" = "$$" ] && continue
      [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$me" ] && echo "${p#/proc/}"
    done
  }
  cleanup() {
    local pids
    pids=$(leftovers)
    [ -z "$pids" ] && return
    # shellcheck disable=SC2086 # one PID per word
    kill $pids 2>/dev/null
    sleep 0.3
    pids=$(leftovers)
    # shellcheck disable=SC2086
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  }
  trap 'cleanup; exit 143' TERM INT HUP
  "$@" &
  child=$!
  wait "$child"
  rc=$?
  cleanup
  exit "$rc"
fi
command -v ip >/dev/null 2>&1 || {
  echo "netns.sh: 'ip' (iproute2) is missing; run scripts/install.sh" >&2
  exit 4
}
command -v unshare >/dev/null 2>&1 || {
  echo "netns.sh: 'unshare' (util-linux) is missing" >&2
  exit 4
}
if [ "$(id -u)" = 0 ]; then flags=-n; else flags=-rn; fi
exec unshare "$flags" -- bash "$0" --inside "$@"
