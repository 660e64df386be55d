#!/bin/sh
# What `npm start` runs: `hearth start` with two memory settings for the small servers the embedded
# default is for (bench:embedded-memory measures them; docs/foundation.md has the figures).
#
# --v8-pool-size=1: V8's background threads compile the embedded database's WebAssembly, and
# each thread's malloc arena keeps its peak for the life of the process; one thread keeps one.
# glibc.malloc.trim_threshold: a fixed threshold also stops glibc raising its mmap threshold
# as large blocks are freed, so the compilers' large blocks go back to the system when freed.
# Neither measurably slowed requests, sends, syncs or the PostgreSQL path. An operator's own
# GLIBC_TUNABLES come after ours and win; other C libraries ignore the variable.
set -e
GLIBC_TUNABLES="glibc.malloc.trim_threshold=131072${GLIBC_TUNABLES:+:$GLIBC_TUNABLES}"
export GLIBC_TUNABLES
exec node --v8-pool-size=1 "$(dirname "$0")/../dist/apps/cli/src/main.js" start "$@"
