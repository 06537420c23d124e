#!/usr/bin/env bash
# Starts the release server on a free port with a fresh SQLite file and the demo data, runs the
# Playwright suite against it, and stops the server whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/env.sh

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$work/academy.db"
# The real content plus one lesson that tries to run script: the reader must render it inert.
cp -r content "$work/content"
cat >"$work/content/courses/waste-heat/99-probe.md" <<'MD'
+++
id = "waste-heat-99-probe"
title_zh = "安全探针"
title_en = "Security probe"
order = 99
minutes = 1
+++

探针正文。

<script>window.pwned = 1; alert(1)</script>

<img src="x" onerror="window.pwned = 2; alert(2)">
MD
# A one-minute boilers quiz, so the end-to-end run can watch the server grade a timed-out attempt.
sed -i 's/^time_limit_minutes = .*/time_limit_minutes = 1/' "$work/content/courses/boilers/quiz.toml"
# Certificates for the demo trainees without attending first: no hours and no quiz required.
sed -i -e 's/^min_attendance_percent = .*/min_attendance_percent = 0/' -e 's/^require_quiz = .*/require_quiz = false/' \
  "$work/content/programmes/tj-cp-audit-2014.toml"
# A seventh session for the check-in journey: planted in the programme week (the content check
# wants that), then moved to the present moment in the database once seeded, so it is running.
cat >>"$work/content/programmes/tj-cp-audit-2014.toml" <<'TOML'

[[sessions]]
number = 7
title_zh = "第七期：扫码签到演练"
title_en = "Session 7: QR check-in drill"
tiers = ["auditor"]
courses = ["auditor-method"]
date = "2014-07-18"
start = "19:00"
end = "20:00"
room = "多功能厅"
capacity = 200
lecturers = ["演练讲师"]
TOML
export ACADEMY_CONTENT_DIR="$work/content" ACADEMY_QUIZ_SWEEP_SECONDS=2
# No SMTP server: the mail worker writes .eml files into the run's own folder.
export ACADEMY_OUTBOX_DIR="$work/outbox"
# Codes change every 3 s and stay valid 5 s more, so the journey sees one expire within seconds.
export ACADEMY_CHECKIN_ROTATE_SECONDS=3 ACADEMY_CHECKIN_GRACE_SECONDS=5
export ACADEMY_ADDR="127.0.0.1:$port"
"$ACADEMY_BIN" seed --demo >/dev/null
python3 - "$work/academy.db" <<'PY'
import datetime, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(old,) = db.execute("SELECT starts_at FROM session WHERE number = 7").fetchone()
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
def stamp(t):  # the format the database already uses for this column
    text = t.strftime("%Y-%m-%d %H:%M:%S") if " " in old else t.strftime("%Y-%m-%dT%H:%M:%S")
    return text + old[19:]
db.execute("UPDATE session SET starts_at = ?, ends_at = ? WHERE number = 7",
           (stamp(now - datetime.timedelta(minutes=10)), stamp(now + datetime.timedelta(hours=2))))
db.commit()
PY
export E2E_ADMIN_LOGIN=admin@example.com E2E_ADMIN_PASSWORD='e2e-admin-密码-2014'
printf '%s\n' "$E2E_ADMIN_PASSWORD" | "$ACADEMY_BIN" admin create --name 系统管理员 --login "$E2E_ADMIN_LOGIN" >/dev/null
"$ACADEMY_BIN" serve >"$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://$ACADEMY_ADDR/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done
export BASE_URL="http://$ACADEMY_ADDR"
if ! (cd end2end && npm test); then
  echo "--- server log ---"; tail -50 "$work/server.log"; exit 1
fi
