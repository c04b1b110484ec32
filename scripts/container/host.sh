# Sourced by base-image.sh and try.sh (bash): what a host needs before podman can start a container
# there. Both adjustments stay inside this script's processes; nothing of the host is changed.

# crun (1.8, Debian 12) refuses a cgroup "hybrid" host whose cgroup2 mount has controllers ("cgroups
# in hybrid mode not supported"): the script runs again in a private mount namespace of its own where
# that mount is gone, so crun sees cgroup v1 alone. Every podman command of the script runs there.
if [ -z "${DROVER_CONTAINER_PRIVATE_MOUNTS:-}" ] && [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ] &&
  [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
  export DROVER_CONTAINER_PRIVATE_MOUNTS=1
  exec unshare --mount --propagation private /bin/bash -c \
    'umount /sys/fs/cgroup/unified && exec "$0" "$@"' "$0" "$@"
fi

# Rootful podman gives a container nofile and nproc limits of 1048576, which crun cannot set above
# the host's hard limits ("setrlimit `RLIMIT_NOFILE`: Operation not permitted"): on such a host the
# containers get the host's own (and nproc no more than the pid_max this host allowed).
podman_limits=()
hard_nofile=$(ulimit -Hn)
hard_nproc=$(ulimit -Hu)
pid_max=$(cat /proc/sys/kernel/pid_max)
if [ "$hard_nofile" != unlimited ] && [ "$hard_nofile" -lt 1048576 ]; then
  podman_limits+=(--ulimit "nofile=$hard_nofile:$hard_nofile")
fi
if [ "$hard_nproc" = unlimited ] || [ "$hard_nproc" -gt "$pid_max" ]; then hard_nproc=$pid_max; fi
if [ "$hard_nproc" -lt 1048576 ]; then
  podman_limits+=(--ulimit "nproc=$hard_nproc:$hard_nproc")
fi
