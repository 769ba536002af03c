#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft) for development and CI, run from the
# official jars on Maven Central with the machine's Java 17. No Docker needed.
#
#   scripts/kafka.sh start    fetch the jars (once), format storage (once), start, wait until it answers
#   scripts/kafka.sh stop     stop the broker this script started
#   scripts/kafka.sh status   say whether it runs and where
#   scripts/kafka.sh reset    stop and delete its data
#
# Settings (environment): KCOST_KAFKA_HOME (default <repo>/.kafka: the jars, and
# by default the broker's state), KCOST_KAFKA_STATE (where this broker keeps its
# data, pid, log and config; default KCOST_KAFKA_HOME: another directory runs a
# second broker from the same jars), KCOST_KAFKA_PORT (9092),
# KCOST_KAFKA_CONTROLLER_PORT (9093), KCOST_KAFKA_HEAP (512m).
#
# A broker that accepts only TLS with SASL (SCRAM-SHA-512) on its client port:
# KCOST_KAFKA_SECURITY=sasl_ssl with KCOST_KAFKA_TLS_CERT and KCOST_KAFKA_TLS_KEY
# (PEM, the key unencrypted PKCS#8, the certificate naming 127.0.0.1),
# KCOST_KAFKA_TLS_CA (PEM, to verify itself between its listeners) and
# KCOST_KAFKA_SCRAM_USERS (user=password,user=password; the first is the
# broker's own and a super user). The users are created when the storage is
# formatted (kafka-storage format --add-scram), so they apply to a fresh
# KCOST_KAFKA_STATE. The controller listener stays plaintext on loopback; no
# client request is served there. KCOST_KAFKA_OAUTHBEARER=unsecured also
# accepts OAUTHBEARER on that listener, validated by Kafka's built-in unsecured
# validator (an unsigned JWT whose sub is the principal): for tests of the
# client side only, never for a broker anyone else reaches.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
home=${KCOST_KAFKA_HOME:-$repo/.kafka}
port=${KCOST_KAFKA_PORT:-9092}
controller_port=${KCOST_KAFKA_CONTROLLER_PORT:-9093}
heap=${KCOST_KAFKA_HEAP:-512m}
state=${KCOST_KAFKA_STATE:-$home}
security=${KCOST_KAFKA_SECURITY:-plaintext}
libs=$home/libs
data=$state/data
pidfile=$state/broker.pid
logfile=$state/broker.log

say() { echo "kafka.sh: $*" >&2; }

running_pid() {
  [[ -f $pidfile ]] || return 1
  local pid; pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Both listeners must be free: the broker's and the KRaft controller's.
ports_taken() {
  local taken=()
  if port_answers "$port"; then taken+=("$port (broker, KCOST_KAFKA_PORT)"); fi
  if port_answers "$controller_port"; then taken+=("$controller_port (controller, KCOST_KAFKA_CONTROLLER_PORT)"); fi
  [[ ${#taken[@]} -gt 0 ]] || return 1
  if [[ ${#taken[@]} -eq 1 ]]; then echo "port ${taken[0]} is"; else echo "ports ${taken[0]} and ${taken[1]} are"; fi
}

fetch() {
  if [[ -f $libs/.complete ]]; then return; fi
  command -v mvn >/dev/null || { say "Maven (mvn) is needed to fetch the Kafka jars; install it (apt-get install maven)"; exit 1; }
  command -v java >/dev/null || { say "Java 17 is needed to run Kafka; install it (apt-get install openjdk-17-jre-headless)"; exit 1; }
  say "fetching the Kafka broker jars from Maven Central into $libs (once; Maven caches them in ~/.m2)"
  rm -rf "$libs"; mkdir -p "$libs"
  mvn -q -B -f "$repo/scripts/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs" >&2
  touch "$libs/.complete"
  say "fetched $(ls "$libs" | wc -l) jars"
}

# The first user of KCOST_KAFKA_SCRAM_USERS: the broker's own, and its super user.
broker_user() { local first=${KCOST_KAFKA_SCRAM_USERS%%,*}; echo "${first%%=*}"; }
broker_password() { local first=${KCOST_KAFKA_SCRAM_USERS%%,*}; echo "${first#*=}"; }

# OAUTHBEARER beside SCRAM when KCOST_KAFKA_OAUTHBEARER=unsecured: with no
# server callback handler configured, Kafka validates with its unsecured one.
oauthbearer_mechanism() {
  [[ ${KCOST_KAFKA_OAUTHBEARER:-} == unsecured ]] && printf ',OAUTHBEARER'
  return 0
}
oauthbearer_config() {
  [[ ${KCOST_KAFKA_OAUTHBEARER:-} == unsecured ]] || return 0
  printf '%s\n' "listener.name.sasl_ssl.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"$(broker_user)\";"
}

# The client listener: PLAINTEXT, or SASL_SSL with SCRAM-SHA-512 (and OAUTHBEARER if asked) and nothing else.
listener_config() {
  case $security in
    plaintext)
      cat <<PROPS
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
PROPS
      ;;
    sasl_ssl)
      local missing=()
      for variable in KCOST_KAFKA_TLS_CERT KCOST_KAFKA_TLS_KEY KCOST_KAFKA_TLS_CA KCOST_KAFKA_SCRAM_USERS; do [[ -n ${!variable:-} ]] || missing+=("$variable"); done
      if [[ ${#missing[@]} -gt 0 ]]; then say "KCOST_KAFKA_SECURITY=sasl_ssl needs ${missing[*]}"; exit 1; fi
      case ${KCOST_KAFKA_OAUTHBEARER:-} in '' | unsecured) ;; *) say "KCOST_KAFKA_OAUTHBEARER must be unsecured or empty, not $KCOST_KAFKA_OAUTHBEARER"; exit 1 ;; esac
      # Kafka reads a PEM key store as one file: the key, then the certificate chain.
      cat "$KCOST_KAFKA_TLS_KEY" "$KCOST_KAFKA_TLS_CERT" > "$state/keystore.pem"
      chmod 600 "$state/keystore.pem"
      cat <<PROPS
listeners=SASL_SSL://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=SASL_SSL://127.0.0.1:$port
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512$(oauthbearer_mechanism)
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$(broker_user)" password="$(broker_password)";
$(oauthbearer_config)
ssl.keystore.type=PEM
ssl.keystore.location=$state/keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$KCOST_KAFKA_TLS_CA
ssl.client.auth=none
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:$(broker_user)
allow.everyone.if.no.acl.found=${KCOST_KAFKA_ALLOW_WITHOUT_ACL:-true}
PROPS
      ;;
    *) say "KCOST_KAFKA_SECURITY must be plaintext or sasl_ssl, not $security"; exit 1 ;;
  esac
}

# kafka-storage format --add-scram arguments, one per user of KCOST_KAFKA_SCRAM_USERS.
scram_arguments() {
  [[ $security == sasl_ssl ]] || return 0
  local IFS=,
  for pair in $KCOST_KAFKA_SCRAM_USERS; do
    printf '%s\n' --add-scram "SCRAM-SHA-512=[name=${pair%%=*},password=${pair#*=}]"
  done
}

write_config() {
  mkdir -p "$data"
  cat > "$state/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
$(listener_config)
controller.listener.names=CONTROLLER
log.dirs=$data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.cleaner.backoff.ms=1000
PROPS
}

java_cmd() { java "-Xmx$heap" -Xms128m -cp "$libs/*" "-Dlog4j.configuration=file:$repo/scripts/kafka/log4j.properties" "$@"; }

start() {
  if pid=$(running_pid); then say "already running (pid $pid) on 127.0.0.1:$port"; echo "127.0.0.1:$port"; return; fi
  if taken=$(ports_taken); then say "$taken taken by another process: free it, set the variable named to another port, or set KAFKA_BROKERS to use a broker that runs already"; exit 1; fi
  fetch
  write_config
  if [[ ! -f $data/meta.properties ]]; then
    say "formatting KRaft storage in $data"
    local scram=()
    mapfile -t scram < <(scram_arguments)
    java_cmd kafka.tools.StorageTool format -t "$(java_cmd kafka.tools.StorageTool random-uuid)" -c "$state/server.properties" "${scram[@]}" >&2
  fi
  say "starting the broker on 127.0.0.1:$port ($security; log: $logfile)"
  nohup java -Xmx"$heap" -Xms128m -cp "$libs/*" "-Dlog4j.configuration=file:$repo/scripts/kafka/log4j.properties" \
    kafka.Kafka "$state/server.properties" >"$logfile" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if port_answers "$port"; then say "ready"; echo "127.0.0.1:$port"; return; fi
    if ! running_pid >/dev/null; then say "the broker exited; last lines of $logfile:"; tail -20 "$logfile" >&2; exit 1; fi
    sleep 0.5
  done
  say "the broker did not answer within 60 s; see $logfile"; exit 1
}

stop() {
  local pid
  if ! pid=$(running_pid); then say "not running"; rm -f "$pidfile"; return; fi
  say "stopping pid $pid"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; say "stopped"; return; }; sleep 0.5; done
  say "did not stop in 30 s; killing"; kill -KILL "$pid" 2>/dev/null || true; rm -f "$pidfile"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) if pid=$(running_pid); then echo "running pid $pid on 127.0.0.1:$port"; else echo "not running"; exit 3; fi ;;
  reset) stop; rm -rf "$data"; say "data deleted" ;;
  fetch) fetch ;;
  *) echo "usage: scripts/kafka.sh start|stop|status|reset|fetch" >&2; exit 2 ;;
esac
