#!/usr/bin/env bash
# Token GETs against a real server while another process holds the SQLite write lock
# for 30 s. Usage: scripts/reads-during-lock.sh PATH/TO/langnghe LABEL
set -u
BIN=$1; LABEL=$2
D=$(mktemp -d /tmp/auth-ba-XXXX)
$BIN serve --demo --data-dir $D --bind 127.0.0.1:0 > $D/out 2> $D/err &
PID=$!
for i in $(seq 1 120); do grep -q '^Password:' $D/out 2>/dev/null && break; sleep 1; done
URL=$(grep '^URL:' $D/out | awk '{print $2}')
TOKEN=$($BIN token create --data-dir $D --username admin 2>/dev/null | tail -1)
# Another process takes the write lock for 30 s (an import in another process, the CLI…).
python3 - "$D/langnghe.sqlite" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN IMMEDIATE")
c.execute("UPDATE api_tokens SET name = name")
time.sleep(30)
c.execute("ROLLBACK")
PY
HOLDER=$!
sleep 1
for p in api/v1/me api/v1/agencies?limit=20; do
  curl -s -o /dev/null -w "$LABEL token GET /$p: %{http_code} in %{time_total}s\n" --max-time 40 -H "Authorization: Bearer $TOKEN" "${URL}$p"
done
kill $HOLDER 2>/dev/null; wait $HOLDER 2>/dev/null
kill $PID; wait $PID 2>/dev/null
rm -rf $D
