#!/bin/bash
# Launcher library for the Cobo-compatible test server (tests/server/cobo_server.py).
#
#   source tests/server/cobo-server.sh
#   trap cobo_server_stop EXIT
#   cobo_server_start "$tmp/srv" [--http] [--cert-mode M] [--access-ttl S] ...
#   cobo_server_register_app "$CLIENT_ID" "$PUBKEY_HEX" "$ORG_ID"
#   cobo_server_ctl POST /_test/fault '{"mode":"status","status":503}'
#   cobo_server_stop
#
# Exports after a successful start:
#   COBO_SERVER_PID COBO_SERVER_DIR COBO_SERVER_PORT COBO_SERVER_ORIGIN COBO_SERVER_URL
#   COBO_SERVER_CA COBO_SERVER_PUBKEY COBO_SERVER_SCHEME COBO_SERVER_CERT_MODE
#   COBO_SERVER_CTL_PORT (the control API alone, plain HTTP: cobo_server_ctl's)
#
# Executed directly (not sourced): cobo-server.sh DIR [server args...] runs the server in
# the foreground.

_COBO_SERVER_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
COBO_SERVER_PY=${COBO_SERVER_PY:-$_COBO_SERVER_HERE/cobo_server.py}
COBO_SERVER_PYTHON=${COBO_SERVER_PYTHON:-/usr/bin/python3}

# cobo_server_start DIR [extra server args...]
cobo_server_start() {
    if [[ $# -lt 1 ]]; then
        echo "usage: cobo_server_start DIR [server args...]" >&2
        return 2
    fi
    if [[ -n ${COBO_SERVER_PID-} ]] && kill -0 "$COBO_SERVER_PID" 2>/dev/null; then
        echo "cobo_server_start: a server is already running (pid $COBO_SERVER_PID); call cobo_server_stop first" >&2
        return 1
    fi
    local dir=$1
    shift
    mkdir -p "$dir" || return 1
    dir=$(cd "$dir" && pwd) || return 1
    rm -f "$dir/port"

    local scheme=https mode=good prev=
    local a
    for a in "$@"; do
        case $a in
            --http) scheme=http ;;
            --cert-mode=*) mode=${a#--cert-mode=} ;;
        esac
        [[ $prev == --cert-mode ]] && mode=$a
        prev=$a
    done

    "$COBO_SERVER_PYTHON" "$COBO_SERVER_PY" --state-dir "$dir" "$@" \
        </dev/null >>"$dir/server.stderr" 2>&1 &
    COBO_SERVER_PID=$!

    local i
    for ((i = 0; i < 600; i++)); do # 60 s: a safety net for a loaded machine, not a wait
        [[ -s $dir/port ]] && break
        if ! kill -0 "$COBO_SERVER_PID" 2>/dev/null; then
            wait "$COBO_SERVER_PID" 2>/dev/null
            echo "cobo_server_start: server exited during start-up; $dir/server.stderr says:" >&2
            tail -n 20 "$dir/server.stderr" >&2
            unset COBO_SERVER_PID
            return 1
        fi
        sleep 0.1
    done
    if [[ ! -s $dir/port ]]; then
        echo "cobo_server_start: no $dir/port after 60 s; stopping pid $COBO_SERVER_PID" >&2
        kill -TERM "$COBO_SERVER_PID" 2>/dev/null
        wait "$COBO_SERVER_PID" 2>/dev/null
        tail -n 20 "$dir/server.stderr" >&2
        unset COBO_SERVER_PID
        return 1
    fi

    export COBO_SERVER_PID
    export COBO_SERVER_DIR=$dir
    export COBO_SERVER_PORT=$(<"$dir/port")
    export COBO_SERVER_CTL_PORT=$(<"$dir/ctl_port")
    export COBO_SERVER_SCHEME=$scheme
    export COBO_SERVER_CERT_MODE=$mode
    export COBO_SERVER_ORIGIN=$scheme://127.0.0.1:$COBO_SERVER_PORT
    export COBO_SERVER_URL=$COBO_SERVER_ORIGIN/v2
    export COBO_SERVER_CA=$dir/ca.pem
    export COBO_SERVER_PUBKEY=$(<"$dir/server_pubkey")
    return 0
}

# cobo_server_stop: SIGTERM to $COBO_SERVER_PID only (SIGKILL after 5 s), then wait;
# the server's exit status is left in COBO_SERVER_EXIT_STATUS (0 = clean SIGTERM exit).
cobo_server_stop() {
    [[ -n ${COBO_SERVER_PID-} ]] || return 0
    local pid=$COBO_SERVER_PID i
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "cobo_server_stop: pid $pid ignored SIGTERM; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    COBO_SERVER_EXIT_STATUS=$?
    unset COBO_SERVER_PID COBO_SERVER_PORT COBO_SERVER_CTL_PORT COBO_SERVER_ORIGIN COBO_SERVER_URL
    return 0
}

# curl options for talking to the running server (trust its CA; in the broken-cert modes
# the control API is still reachable, certificate checks are skipped for it).
_cobo_server_curl_opts() {
    _COBO_CURL_OPTS=(-sS --max-time 60)
    if [[ $COBO_SERVER_SCHEME == https ]]; then
        _COBO_CURL_OPTS+=(--cacert "$COBO_SERVER_CA")
        [[ $COBO_SERVER_CERT_MODE == good ]] || _COBO_CURL_OPTS+=(-k)
    fi
}

# cobo_server_ctl METHOD PATH [JSON]: control API call; prints the response body.
# PATH may be given as "/_test/stats" or just "stats". Returns 1 on HTTP status >= 400.
# It speaks HTTP/1.0 to the control port from bash itself (/dev/tcp): a test
# makes hundreds of these calls, and a curl process and a TLS handshake each
# cost more than the call.
cobo_server_ctl() {
    if [[ $# -lt 2 || -z ${COBO_SERVER_CTL_PORT-} ]]; then
        echo "usage: cobo_server_ctl METHOD PATH [JSON] (after cobo_server_start)" >&2
        return 2
    fi
    local LC_ALL=C # ${#body} counts bytes
    local method=$1 path=$2 body=${3-} fd resp code
    [[ $path == /* ]] || path=/_test/$path
    [[ $# -lt 3 && ($method == POST || $method == PUT) ]] && body='{}'
    if ! exec {fd}<>"/dev/tcp/127.0.0.1/$COBO_SERVER_CTL_PORT"; then
        echo "cobo_server_ctl: $method $path: cannot connect to 127.0.0.1:$COBO_SERVER_CTL_PORT" >&2
        return 1
    fi
    printf '%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
        "$method" "$path" "${#body}" "$body" >&"$fd"
    # The whole answer, to the end (the server closes an HTTP/1.0 connection):
    # read's status is 1 at the end, over 128 on the 60 s timeout.  Its
    # status is taken with ||, so a caller's `set -e` does not end the
    # script at the (normal) end of the answer.
    local st=0
    IFS= read -r -d '' -t 60 -u "$fd" resp || st=$?
    ((st < 128)) || resp=
    exec {fd}>&-
    code=${resp#HTTP/* }
    code=${code%% *}
    if [[ ! $code =~ ^[0-9]{3}$ || $resp != *$'\r\n\r\n'* ]]; then
        echo "cobo_server_ctl: $method $path: no HTTP answer from 127.0.0.1:$COBO_SERVER_CTL_PORT" >&2
        return 1
    fi
    resp=${resp#*$'\r\n\r\n'}
    printf '%s\n' "${resp%$'\n'}"
    [[ $code -lt 400 ]]
}

# cobo_server_stats ORG FIELD...: the server's counters for ORG (mint, refresh,
# total, failed, ...), the FIELDs asked for on one line, in that order.
cobo_server_stats() {
    local org=$1 reply k out=()
    shift
    reply=$(cobo_server_ctl GET "/_test/stats?org_id=$org") || return 1
    for k in "$@"; do out+=("$(cobo_server_field "$reply" "$k")"); done
    echo "${out[*]}"
}

# cobo_server_field JSON KEY: a member of a control reply, as text: a string
# unquoted, a number, true, false or null (null when there is none).  The
# control replies are flat objects of scalars whose strings hold no escapes
# (ids, tokens), so bash reads them: no python3 process per field.
cobo_server_field() {
    local re="\"$2\": *(\"([^\"\\]*)\"|-?[0-9][0-9.eE+-]*|true|false|null)"
    if [[ $1 =~ $re ]]; then
        if [[ ${BASH_REMATCH[1]} == \"* ]]; then
            printf '%s\n' "${BASH_REMATCH[2]}"
        else
            printf '%s\n' "${BASH_REMATCH[1]}"
        fi
    else
        echo null
    fi
}

# cobo_server_register_app CLIENT_ID PUBKEY_HEX ORG...
cobo_server_register_app() {
    if [[ $# -lt 2 ]]; then
        echo "usage: cobo_server_register_app CLIENT_ID PUBKEY_HEX ORG..." >&2
        return 2
    fi
    local json
    json=$("$COBO_SERVER_PYTHON" -c 'import json,sys; print(json.dumps({"client_id": sys.argv[1], "pubkey_hex": sys.argv[2], "orgs": sys.argv[3:]}))' "$@") || return 1
    cobo_server_ctl POST /_test/apps "$json" >/dev/null
}

# cobo_server_keygen: prints "SEED_HEX PUBKEY_HEX" (a fresh Ed25519 app key).
cobo_server_keygen() {
    "$COBO_SERVER_PYTHON" "$COBO_SERVER_PY" keygen
}

# cobo_server_new_app CLIENT_ID SEED_FILE ORG...: a fresh app key registered
# for those orgs; its seed (hex) written to SEED_FILE, mode 0600; sets SEED
# and PUB.
cobo_server_new_app() {
    local client=$1 file=$2
    shift 2
    read -r SEED PUB < <(cobo_server_keygen) || return 1
    cobo_server_register_app "$client" "$PUB" "$@" || return 1
    (umask 077 && printf '%s\n' "$SEED" > "$file")
}

# cobo_server_signed_curl SEED_HEX METHOD TARGET [BODY] [curl args...]: a CoboAuth-signed
# request to $COBO_SERVER_ORIGIN$TARGET (TARGET = /v2/path?query); prints the body.
cobo_server_signed_curl() {
    if [[ $# -lt 3 ]]; then
        echo "usage: cobo_server_signed_curl SEED_HEX METHOD TARGET [BODY] [curl args...]" >&2
        return 2
    fi
    local seed=$1 method=$2 target=$3 body=${4-}
    shift 3
    [[ $# -gt 0 ]] && shift
    local -a hdr=()
    local line
    while IFS= read -r line; do
        hdr+=(-H "$line")
    done < <("$COBO_SERVER_PYTHON" "$COBO_SERVER_PY" sign "$seed" "$method" "$target" "$body")
    _cobo_server_curl_opts
    local -a opts=("${_COBO_CURL_OPTS[@]}" -X "$method" "${hdr[@]}")
    [[ -n $body ]] && opts+=(-H 'Content-Type: application/json' --data-binary "$body")
    curl "${opts[@]}" "$@" "$COBO_SERVER_ORIGIN$target"
}

# Barriers (the 'hold' fault; README.md "Barriers"). The timeouts are safety nets only.
# cobo_server_held_wait N [COUNTER]: returns once COUNTER (held, the default; arrived,
# released, done) is at least N; non-zero with a message after 50 s.
cobo_server_held_wait() {
    cobo_server_ctl GET "/_test/held?wait=$1&for=${2:-held}&timeout=50" >/dev/null || {
        echo "cobo_server_held_wait: ${2:-held} did not reach $1 within 50 s" >&2
        return 1
    }
}

# cobo_server_release [N]: lets the N oldest held requests go (all without N) and returns
# once the server has processed and answered every request released so far.
cobo_server_release() {
    local j='{"wait":true,"timeout":50}'
    [[ $# -eq 0 ]] || j="{\"wait\":true,\"timeout\":50,\"count\":$1}"
    cobo_server_ctl POST /_test/release "$j" >/dev/null || {
        echo "cobo_server_release: the released requests were not done within 50 s" >&2
        return 1
    }
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    if [[ $# -lt 1 ]]; then
        echo "usage: $0 STATE_DIR [server args...]   (or source it from a bash test script)" >&2
        exit 2
    fi
    d=$1
    shift
    exec "$COBO_SERVER_PYTHON" "$COBO_SERVER_PY" --state-dir "$d" "$@"
fi
