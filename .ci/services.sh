#!/usr/bin/env bash
# Starts PostgreSQL and NATS (JetStream) when they are not answering; the machine image has both installed.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! port_open 5432; then
  echo "== starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || echo "warning: could not start PostgreSQL"
fi
if ! port_open 4222; then
  echo "== starting NATS with JetStream"
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || echo "warning: could not start NATS"
fi
for i in $(seq 1 50); do
  if port_open 5432 && port_open 4222; then break; fi
  sleep 0.2
done
port_open 5432 && echo "== PostgreSQL up on 127.0.0.1:5432" || echo "warning: PostgreSQL is not reachable"
port_open 4222 && echo "== NATS up on 127.0.0.1:4222" || echo "warning: NATS is not reachable"
exit 0
