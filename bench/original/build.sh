#!/bin/sh
# Builds the original Go Workq server (iamduo/workq, tag 0.2.0), the peer of
# `workq-bench --vs original`, from a checkout of it, with Debian's Go toolchain.
#
#   bench/original/build.sh SRC_DIR [OUT_DIR]
#
# SRC_DIR: the original's source at 0.2.0 (git clone https://github.com/iamduo/workq;
# git checkout 0.2.0). OUT_DIR (default /opt/workq-original) receives workq-server;
# its path is printed last.
#
# The server needs only github.com/satori/go.uuid besides the standard library (its
# Godeps pin v1.0.0; Debian's 1.2.0 has the same FromString and Version); the pinned
# go-workq client is used by its system tests alone. The code predates Go modules, so
# it is built in GOPATH mode.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 SRC_DIR [OUT_DIR]" >&2
    exit 2
fi
src=$(cd "$1" && pwd)
out=${2:-/opt/workq-original}
[ -f "$src/cmd/workq-server/main.go" ] || { echo "$src has no cmd/workq-server/main.go: not a checkout of iamduo/workq" >&2; exit 2; }

missing=
for pkg in golang-go golang-github-satori-go.uuid-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    echo "installing$missing" >&2
    sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get install -y $missing >&2 || { $sudo apt-get update >&2 && $sudo apt-get install -y $missing >&2; }
fi

# A throwaway GOPATH: the import path github.com/iamduo/workq must resolve to the
# checkout, and Debian's packaged Go libraries sit in /usr/share/gocode.
gopath=$(mktemp -d)
trap 'rm -rf "$gopath"' EXIT
mkdir -p "$gopath/src/github.com/iamduo" "$out"
ln -s "$src" "$gopath/src/github.com/iamduo/workq"
out=$(cd "$out" && pwd)

cd "$gopath/src/github.com/iamduo/workq"
GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS= GOCACHE="$gopath/cache" \
    go build -o "$out/workq-server" ./cmd/workq-server
echo "$out/workq-server"
