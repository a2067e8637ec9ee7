#!/usr/bin/env bash
# Real Apache Kafka for the tests: one KRaft node (broker + controller) on loopback, from Maven
# Central jars fetched with mvn (test/kafka/pom.xml), cached across runs. Test-only, never shipped.
#
#   kafka.sh fetch                      download the jars into the cache (nothing else)
#   kafka.sh fetched                    exit 0 when the jars are in the cache, 1 otherwise
#   kafka.sh start  [instance options]  start (idempotent: already running -> says so, exit 0);
#                                       prints the client address (127.0.0.1:PORT) on stdout when ready
#   kafka.sh stop   [instance options]  [--kill] [--purge]
#   kafka.sh status [instance options]  exit 0 running, 3 stopped
#   kafka.sh pause|resume [instance options]  SIGSTOP / SIGCONT: a broker that accepts but never answers
#   kafka.sh stop-all                   stop every instance kafka.sh started (CI teardown)
#
# Instance options (the default instance is the shared one on 127.0.0.1:9092, controller 9093):
#   --instance NAME   its own data dir, log and pid (each jest run and each test that stops a broker
#                     uses its own instance)
#   --port N          client listener port   (default 9092 for "default"; for another instance, a
#                     free port the OS assigns at its first start; remembered per instance)
#   --controller-port N                      (likewise: 9093 for "default", else OS-assigned)
#   --sasl-port N     also a SASL_PLAINTEXT listener, PLAIN with Event Hubs-shaped test credentials
#                     (see server.properties.template; remembered per instance)
#   --kill            stop with SIGKILL (an abrupt broker loss) instead of a controlled shutdown
#   --purge           delete the instance's data and log after stopping
#
# Environment: KAFKA_CACHE_DIR (default ~/.cache/cdktf-azure-webhooks), KAFKA_STATE_ROOT
# (default ${TMPDIR:-/tmp}/cdktf-azure-webhooks-kafka), KAFKA_START_TIMEOUT_S (default 120),
# KAFKA_HEAP_OPTS (default -Xms128m -Xmx512m).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$HERE/pom.xml"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")"
HOME="${HOME:-$(cd ~ && pwd)}" # CI may run without HOME; ~ falls back to the passwd entry
CACHE_ROOT="${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-azure-webhooks}"
CACHE="$CACHE_ROOT/kafka-$KAFKA_VERSION"
LIBS="$CACHE/libs"
STATE_ROOT="${KAFKA_STATE_ROOT:-${TMPDIR:-/tmp}/cdktf-azure-webhooks-kafka}"
START_TIMEOUT_S="${KAFKA_START_TIMEOUT_S:-120}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

pom_hash() { sha256sum "$POM" | cut -c1-16; }

# --- fetch ------------------------------------------------------------------------------------
fetch() {
  mkdir -p "$CACHE"
  exec 8>"$CACHE/.fetch.lock"
  flock -w 600 8 || die "timed out waiting for another fetch ($CACHE/.fetch.lock)"
  if [ -f "$LIBS/.complete" ] && [ "$(cat "$LIBS/.complete")" = "$(pom_hash)" ]; then
    log "jars for Kafka $KAFKA_VERSION already in $LIBS"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  command -v java >/dev/null || die "java not found (apt-get install openjdk-17-jre-headless)"
  local started=$SECONDS tmp="$CACHE/libs.tmp"
  rm -rf "$tmp"
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIBS"
  mvn -B -q -ntp -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >&2 || die "mvn dependency:copy-dependencies failed"
  ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null || die "kafka_2.13-$KAFKA_VERSION.jar missing after fetch"
  pom_hash >"$tmp/.complete"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  log "fetched $(find "$LIBS" -name '*.jar' | wc -l) jars in $((SECONDS - started)) s"
}

# --- instance state ---------------------------------------------------------------------------
INSTANCE=default PORT="" CONTROLLER_PORT="" SASL_PORT="" KILL=false PURGE=false
parse_instance_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --instance) INSTANCE="${2:?--instance needs a name}"; shift 2 ;;
      --port) PORT="${2:?--port needs a number}"; shift 2 ;;
      --controller-port) CONTROLLER_PORT="${2:?--controller-port needs a number}"; shift 2 ;;
      --sasl-port) SASL_PORT="${2:?--sasl-port needs a number}"; shift 2 ;;
      --kill) KILL=true; shift ;;
      --purge) PURGE=true; shift ;;
      *) die "unknown option: $1" ;;
    esac
  done
  [[ "$INSTANCE" =~ ^[A-Za-z0-9._-]+$ ]] || die "--instance must match [A-Za-z0-9._-]+, got '$INSTANCE'"
  DIR="$STATE_ROOT/$INSTANCE"
  PID_FILE="$DIR/kafka.pid"
  LOG_FILE="$DIR/kafka.log"
  PROPS="$DIR/server.properties"
  DATA="$DIR/data"
  mkdir -p "$DIR"
  # Ports: explicit flags win, then what this instance used last time, then the defaults (9092 and
  # 9093 for "default"; free ports from the OS for any other instance, picked by start()).
  load_saved_ports
  if [ "$INSTANCE" = default ]; then PORT="${PORT:-9092}" CONTROLLER_PORT="${CONTROLLER_PORT:-9093}"; fi
  for p in "$PORT" "$CONTROLLER_PORT" "$SASL_PORT"; do
    [[ -z "$p" || "$p" =~ ^[0-9]+$ && "$p" -ge 1 && "$p" -le 65535 ]] || die "ports must be 1-65535, got '$p'"
  done
}

load_saved_ports() {
  [ -f "$DIR/ports" ] || return 0
  # shellcheck disable=SC1091
  . "$DIR/ports"
  PORT="${PORT:-$SAVED_PORT}" CONTROLLER_PORT="${CONTROLLER_PORT:-$SAVED_CONTROLLER_PORT}"
  SASL_PORT="${SASL_PORT:-${SAVED_SASL_PORT:-}}"
}

lock_instance() {
  exec 9>"$STATE_ROOT/$INSTANCE.lock"
  flock -w $((START_TIMEOUT_S + 60)) 9 || die "timed out waiting for the lock of instance $INSTANCE"
}

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "kafka.Kafka $PROPS" || return 1
  echo "$pid"
}

# A Metadata request that lists at least one broker (kafkajs from the repo's node_modules).
probe() { timeout 10 node "$HERE/probe.cjs" "127.0.0.1:$PORT" >/dev/null 2>&1; }

# --- start ------------------------------------------------------------------------------------
start() {
  lock_instance
  # A concurrent start may have chosen this instance's ports while we waited for the lock.
  load_saved_ports
  if pid="$(running_pid)"; then
    if probe; then
      log "already running: instance $INSTANCE (pid $pid) on 127.0.0.1:$PORT; log: $LOG_FILE"
      echo "127.0.0.1:$PORT"
      return 0
    fi
    log "instance $INSTANCE (pid $pid) is up but not answering yet; waiting"
  else
    if [ -z "$PORT" ] || [ -z "$CONTROLLER_PORT" ]; then
      local free ports
      free="$(node "$HERE/free-ports.cjs" 2)" || die "no free ports from the OS"
      read -r -a ports <<<"$free"
      PORT="${PORT:-${ports[0]}}" CONTROLLER_PORT="${CONTROLLER_PORT:-${ports[1]}}"
    elif probe; then
      log "a Kafka not started by kafka.sh already answers on 127.0.0.1:$PORT; using it"
      echo "127.0.0.1:$PORT"
      return 0
    fi
    [ -f "$LIBS/.complete" ] || fetch
    local started=$SECONDS
    printf 'SAVED_PORT=%s\nSAVED_CONTROLLER_PORT=%s\nSAVED_SASL_PORT=%s\n' "$PORT" "$CONTROLLER_PORT" "$SASL_PORT" >"$DIR/ports"
    local sasl_listener=""
    [ -z "$SASL_PORT" ] || sasl_listener=",SASL_PLAINTEXT://127.0.0.1:$SASL_PORT"
    sed -e "s|@PORT@|$PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" -e "s|@DATA_DIR@|$DATA|g" \
      -e "s|@SASL_LISTENER@|$sasl_listener|g" \
      "$HERE/server.properties.template" >"$PROPS"
    # C1 only and the serial collector: a test broker on 2 shared cores starts about twice as fast.
    local heap_opts java_opts
    read -r -a heap_opts <<<"$HEAP_OPTS"
    java_opts=("${heap_opts[@]}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError
      -Djava.awt.headless=true "-Dlog4j.configuration=file:$HERE/log4j.properties" "-Dkafka.logs.dir=$DIR"
      -cp "$LIBS/*")
    if [ ! -f "$DATA/meta.properties" ]; then
      # A KRaft cluster id is 16 random bytes, base64url without padding. Like Kafka's own
      # Uuid.randomUuid(), draw again when it starts with "-": the storage tool would read it as an
      # option ("argument --cluster-id/-t: expected one argument", one start in 64).
      local cluster_id="-"
      while [ "${cluster_id#-}" != "$cluster_id" ]; do
        cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
      done
      java "${java_opts[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS" >"$DIR/format.log" 2>&1 ||
        die "formatting $DATA failed: $(tail -5 "$DIR/format.log")"
    fi
    : >"$LOG_FILE"
    # setsid: own session, so the broker outlives the shell (and jest) that started it; all three
    # standard streams redirected, so it holds no caller's pipe open.
    # The lock descriptors (8, 9) are closed for the broker, or it would hold the lock for its life.
    setsid java "${java_opts[@]}" kafka.Kafka "$PROPS" >>"$LOG_FILE" 2>&1 </dev/null 8>&- 9>&- &
    pid=$!
    echo "$pid" >"$PID_FILE"
    log "starting Kafka $KAFKA_VERSION instance $INSTANCE (pid $pid) on 127.0.0.1:$PORT; log: $LOG_FILE"
  fi
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until probe; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -20 "$LOG_FILE" >&2 || true
      die "instance $INSTANCE exited during start; log: $LOG_FILE"
    fi
    [ $SECONDS -lt $deadline ] || die "instance $INSTANCE not ready after ${START_TIMEOUT_S} s; log: $LOG_FILE"
    sleep 0.5
  done
  log "ready: instance $INSTANCE on 127.0.0.1:$PORT after $((SECONDS - ${started:-$SECONDS})) s; log: $LOG_FILE"
  echo "127.0.0.1:$PORT"
}

# --- stop / status ----------------------------------------------------------------------------
stop() {
  lock_instance
  local pid
  if pid="$(running_pid)"; then
    if $KILL; then
      kill -KILL "$pid" 2>/dev/null || true
    else
      kill -TERM "$pid" 2>/dev/null || true
      kill -CONT "$pid" 2>/dev/null || true # a paused broker handles SIGTERM only once continued
    fi
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
      if [ $SECONDS -ge $deadline ]; then
        log "instance $INSTANCE (pid $pid) ignored SIGTERM for 30 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
      fi
      sleep 0.2
    done
    log "stopped instance $INSTANCE (pid $pid)"
  else
    log "instance $INSTANCE is not running"
  fi
  rm -f "$PID_FILE"
  if $PURGE; then
    rm -rf "$DIR" "$STATE_ROOT/$INSTANCE.lock"
    log "purged $DIR"
  fi
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "instance $INSTANCE: running (pid $pid) on 127.0.0.1:$PORT; log: $LOG_FILE"
  else
    echo "instance $INSTANCE: stopped"
    return 3
  fi
}

# SIGSTOP / SIGCONT the broker: the kernel still accepts connections, nothing answers (a stalled broker).
signal_instance() {
  local pid
  pid="$(running_pid)" || die "instance $INSTANCE is not running"
  kill "-$1" "$pid"
  log "sent SIG$1 to instance $INSTANCE (pid $pid)"
}

stop_all() {
  [ -d "$STATE_ROOT" ] || return 0
  local d
  for d in "$STATE_ROOT"/*/; do
    [ -f "$d/kafka.pid" ] || continue
    (parse_instance_args --instance "$(basename "$d")" && stop)
  done
}

mkdir -p "$STATE_ROOT"
cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  fetch) fetch ;;
  fetched) [ -f "$LIBS/.complete" ] && [ "$(cat "$LIBS/.complete")" = "$(pom_hash)" ] ;;
  start) parse_instance_args "$@" && start ;;
  stop) parse_instance_args "$@" && stop ;;
  status) parse_instance_args "$@" && status ;;
  pause) parse_instance_args "$@" && signal_instance STOP ;;
  resume) parse_instance_args "$@" && signal_instance CONT ;;
  stop-all) stop_all ;;
  *) die "usage: kafka.sh fetch | fetched | start | stop | status | pause | resume | stop-all [--instance NAME --port N --controller-port N] [--kill] [--purge]" ;;
esac
