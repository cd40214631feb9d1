#!/bin/sh
# Lets the hot standbys of the ha profile stream from this primary (pg_basebackup -R, then streaming replication).
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
