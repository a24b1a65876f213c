#!/usr/bin/env bash
# Builds local stand-ins for the base images that deploy/Dockerfile and docker-compose.yml pull by default, for a
# machine that reaches no container registry (CI here): a minimal Debian bookworm made by debootstrap and imported,
# and on top of it
#   - an ASP.NET Core runtime image laid out like mcr.microsoft.com/dotnet/aspnet (the .NET shared runtime under
#     /usr/share/dotnet, `dotnet` on PATH, user `app` with UID 1654), carrying this machine's own runtime;
#   - a PostgreSQL image from Debian's postgresql-15 whose entrypoint honours the official image's documented
#     environment (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB) and keeps its data in /var/lib/postgresql/data.
# Images are tagged by a hash of what they are made from, so a second run finds them and builds nothing.
# Needs root (debootstrap), docker, debootstrap and a reachable Debian mirror (DEBIAN_MIRROR).
#
# Prints, on stdout, the variables that select them (logs go to stderr):
#   SDK_IMAGE=...  RUNTIME_IMAGE=...  POSTGRES_IMAGE=...
# SDK_IMAGE is the runtime stand-in: Microsoft's SDK image cannot be pulled either, so the project is published
# outside Docker and handed to the Dockerfile through its PUBLISHED build argument, which only needs a shell.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
export DOCKER_BUILDKIT=0   # the classic builder uses local images as they are and needs no buildx plug-in

log() { echo "standins: $*" >&2; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
# docker build, its output kept for when it fails (the classic builder also prints a deprecation notice every time).
build() {
  local out
  out=$(mktemp)
  if ! docker build "$@" >"$out" 2>&1; then
    tail -n 30 "$out" >&2
    rm -f "$out"
    log "docker build $* failed"
    exit 1
  fi
  rm -f "$out"
}

for tool in docker dotnet sha256sum; do
  command -v "$tool" >/dev/null || { log "$tool is not installed"; exit 1; }
done

docker info >/dev/null 2>&1 || { log "no Docker engine answers (docker info failed); start dockerd first"; exit 1; }

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
# The newest 10.x: the node targets net10.0 and does not roll forward to another major version. `|| true`: with
# pipefail, a missing folder would end the script here without a word, before the message below.
aspnet_version=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" 2>/dev/null | grep '^10\.' | sort -V | tail -n 1 || true)
netcore_version=$(ls "$dotnet_root/shared/Microsoft.NETCore.App" 2>/dev/null | grep '^10\.' | sort -V | tail -n 1 || true)
[ -n "$aspnet_version" ] && [ -n "$netcore_version" ] || { log "no .NET 10 ASP.NET Core shared runtime under $dotnet_root/shared"; exit 1; }

recipe=$(cat "$0" "$here"/standins/* | sha256sum | cut -c1-12)
base="p2pactors-standin/bookworm:$recipe"
runtime="p2pactors-standin/aspnet:$netcore_version-$recipe"
postgres="p2pactors-standin/postgres:15-$recipe"

started=$SECONDS
if have_image "$base"; then
  log "$base is present"
else
  # debootstrap needs root, and lives in /usr/sbin, off a normal user's PATH ("not installed" would mislead).
  # Only this first build needs either: a second run finds the images and builds nothing.
  [ "$(id -u)" -eq 0 ] || { log "run as root the first time: debootstrap needs it"; exit 1; }
  command -v debootstrap >/dev/null || { log "debootstrap is not installed"; exit 1; }
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  log "debootstrap bookworm from $mirror (about a minute)"
  # minbase plus what mcr.microsoft.com/dotnet/runtime-deps adds (no ICU: the node runs with invariant globalization).
  debootstrap --variant=minbase --include=ca-certificates,libssl3,tzdata,zlib1g bookworm "$root" "$mirror" >"$root.log" 2>&1 \
    || { tail -n 20 "$root.log" >&2; log "debootstrap failed (log: $root.log)"; exit 1; }
  rm -f "$root.log"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$base" >/dev/null
  rm -rf "$root"
  trap - EXIT
  log "imported $base ($((SECONDS - started)) s)"
fi

if have_image "$runtime"; then
  log "$runtime is present"
else
  context=$(mktemp -d)
  trap 'rm -rf "$context"' EXIT
  # Only what the official runtime image holds: the muxer, hostfxr and the two shared frameworks (not the SDK).
  mkdir -p "$context/dotnet/shared"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$context/dotnet/"
  cp -a "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$context/dotnet/" 2>/dev/null || true
  mkdir -p "$context/dotnet/shared/Microsoft.NETCore.App" "$context/dotnet/shared/Microsoft.AspNetCore.App"
  cp -a "$dotnet_root/shared/Microsoft.NETCore.App/$netcore_version" "$context/dotnet/shared/Microsoft.NETCore.App/"
  cp -a "$dotnet_root/shared/Microsoft.AspNetCore.App/$aspnet_version" "$context/dotnet/shared/Microsoft.AspNetCore.App/"
  build --build-arg "BASE=$base" -f "$here/standins/aspnet.Dockerfile" -t "$runtime" "$context"
  rm -rf "$context"
  trap - EXIT
  log "built $runtime ($((SECONDS - started)) s)"
fi

if have_image "$postgres"; then
  log "$postgres is present"
else
  log "building $postgres (apt-get inside the container)"
  build --build-arg "BASE=$base" -f "$here/standins/postgres.Dockerfile" -t "$postgres" "$here/standins"
  log "built $postgres ($((SECONDS - started)) s)"
fi

echo "SDK_IMAGE=$runtime"
echo "RUNTIME_IMAGE=$runtime"
echo "POSTGRES_IMAGE=$postgres"
