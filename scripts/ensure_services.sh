#!/usr/bin/env bash
# Make sure what `make test` needs is installed and running: Debian packages (as root, only when
# missing), PostgreSQL and Redis on 127.0.0.1, and the test role/database.
set -euo pipefail

need=()
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-cli >/dev/null || need+=(redis-tools)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
command -v msgfmt >/dev/null || need+=(gettext)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
fc-list 2>/dev/null | grep "Liberation Serif" >/dev/null || need+=(fonts-liberation2)
fc-list 2>/dev/null | grep "Noto Serif" >/dev/null || need+=(fonts-noto-core)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Thiếu gói hệ thống: ${need[*]} — hãy cài bằng quyền root (apt-get install ${need[*]})." >&2
    exit 1
  fi
  echo "Cài gói hệ thống còn thiếu: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" libharfbuzz-subset0 >/dev/null
fi

if ! pg_isready -h 127.0.0.1 -q; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "Khởi động PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -q || { echo "PostgreSQL không chạy trên 127.0.0.1:5432" >&2; exit 1; }

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "Khởi động Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/kpi.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 ping >/dev/null || { echo "Redis không chạy trên 127.0.0.1:6379" >&2; exit 1; }

# A password-protected role that may create the per-worker test databases.
psql_admin() {
  if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
    runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@"
  else
    psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"
  fi
}
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='app'")" != "1" ]; then
  psql_admin -c "CREATE ROLE app LOGIN CREATEDB PASSWORD 'app'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='kpi_portal'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE kpi_portal OWNER app"
fi
