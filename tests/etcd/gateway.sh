# tests/etcd/gateway.sh - etcd read and written through its JSON gateway
# from bash itself (HTTP/1.0 over /dev/tcp, as cobo_server_ctl does), for a
# suite that does so a few hundred times (etcd-attacker.sh): an etcdctl
# costs ~35 ms of CPU a call, a python process more.  Keys and values travel
# as base64, converted here in bash by table, into variables (no command
# substitution: each is a fork); keys may hold any byte (NUL too), so they
# are handled as hex.  Sourced after tests/lib/etcd.sh and
# etcd_cluster_start, with a cluster that speaks plain http (member 0 is
# asked).  Results come back in variables: GW (an answer's body), B64OUT,
# HEXOUT, STROUT, VAL, LEASE, RANGE.
#
#   etcd_gw PATH JSON           one call; GW; fails unless the answer is a 200
#   etcd_put_hex KEYHEX VALUE [LEASE], etcd_put_raw (lines "KEYHEX VALUE")
#   etcd_put KEY VALUE, etcd_del KEY, etcd_val KEY (VAL)   keys that are text
#   etcd_lskeys SUB             the printable keys under FLEET_PREFIX + SUB
#   etcd_nkeys SUB              how many keys under FLEET_PREFIX + SUB
#   etcd_end_leases LO HI       tests/lib/etcd.sh's, redefined through the gateway
#   etcd_grant TTL              a new lease (LEASE, decimal)
[[ ${ETCD_CLIENT[0]} == http://* ]] || { echo "etcd_gw speaks plain http only"; exit 99; }
GW_HOST=${ETCD_CLIENT[0]#http://}
B64=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/
declare -gA B64_VAL=() CHR_HEX=() # a base64 digit's value; a printable character's hex
HEXB=()                            # a byte's two hex digits
gw_tables() {
	local i c
	for ((i = 0; i < 64; i++)); do B64_VAL[${B64:i:1}]=$i; done
	for ((i = 0; i < 256; i++)); do printf -v 'HEXB[i]' '%02x' "$i"; done
	for ((i = 32; i < 127; i++)); do printf -v c "\\x${HEXB[i]}"; CHR_HEX[$c]=${HEXB[i]}; done
}
gw_tables

# etcd_gw PATH JSON: one gateway call to member 0; its answer's body in GW;
# fails (one line on stderr) unless the answer is a 200.
etcd_gw() {
	local LC_ALL=C fd resp st=0
	GW=
	exec {fd}<>"/dev/tcp/${GW_HOST%:*}/${GW_HOST##*:}" || { echo "etcd_gw $1: cannot connect" >&2; return 1; }
	printf 'POST %s HTTP/1.0\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
		"$1" "$GW_HOST" "${#2}" "$2" >&"$fd"
	IFS= read -r -d '' -t 30 -u "$fd" resp || st=$? # 1 at the end of the answer, > 128 on the timeout
	exec {fd}>&-
	if ((st > 128)) || [[ $resp != "HTTP/1."?" 200 "* ]]; then
		resp=${resp%%$'\r'*}
		echo "etcd_gw $1: ${resp:-no answer}" >&2
		return 1
	fi
	GW=${resp#*$'\r\n\r\n'}
}

# hex_b64 HEX: base64 of the bytes HEX spells, in B64OUT.
hex_b64() {
	local h=$1 pad='' n i
	B64OUT=
	case $((${#h} / 2 % 3)) in 1) h+=0000 pad='==' ;; 2) h+=00 pad='=' ;; esac
	for ((i = 0; i < ${#h}; i += 6)); do
		n=$((16#${h:i:6}))
		B64OUT+=${B64:n >> 18 & 63:1}${B64:n >> 12 & 63:1}${B64:n >> 6 & 63:1}${B64:n & 63:1}
	done
	B64OUT=${B64OUT:0:${#B64OUT} - ${#pad}}$pad
}
# str_hex STR: STR's bytes (printable ASCII) as hex, in HEXOUT; str_b64 STR:
# as base64, in B64OUT.
str_hex() {
	local s=$1 i
	HEXOUT=
	for ((i = 0; i < ${#s}; i++)); do HEXOUT+=${CHR_HEX[${s:i:1}]}; done
}
str_b64() { str_hex "$1" && hex_b64 "$HEXOUT"; }
# b64_hex B64: the bytes B64 encodes, as hex, in HEXOUT.
b64_hex() {
	local s=${1%%=*} i v=0 bits=0
	HEXOUT=
	for ((i = 0; i < ${#s}; i++)); do
		v=$(((v << 6 | B64_VAL[${s:i:1}]) & 0xffff)) bits=$((bits + 6))
		if ((bits >= 8)); then
			bits=$((bits - 8))
			HEXOUT+=${HEXB[v >> bits & 255]}
		fi
	done
}
# b64_str B64: the text B64 encodes (no NUL), in STROUT.
b64_str() {
	local esc='' i
	b64_hex "$1"
	for ((i = 0; i < ${#HEXOUT}; i += 2)); do esc+="\\x${HEXOUT:i:2}"; done
	printf -v STROUT '%b' "$esc"
}
# prefix_range SUB: the JSON key and range_end of the keys under the fleet
# prefix + SUB (the end: its last byte plus one; never 0xff here), in RANGE.
prefix_range() {
	local k
	str_hex "$FLEET_PREFIX$1"
	hex_b64 "$HEXOUT"
	k=$B64OUT
	hex_b64 "${HEXOUT:0:${#HEXOUT} - 2}${HEXB[16#${HEXOUT: -2} + 1]}"
	RANGE="\"key\":\"$k\",\"range_end\":\"$B64OUT\""
}

# etcd_put_hex KEYHEX VALUE [LEASE]: puts VALUE (text) under the raw key.
etcd_put_hex() {
	local k
	hex_b64 "$1"
	k=$B64OUT
	str_b64 "$2"
	etcd_gw /v3/kv/put "{\"key\":\"$k\",\"value\":\"$B64OUT\"${3:+,\"lease\":\"$3\"}}"
}
# etcd_put_raw: lines "KEYHEX VALUE" on stdin, each put as raw bytes.
etcd_put_raw() {
	local k v
	while read -r k v; do etcd_put_hex "$k" "$v" || return 1; done
}
# etcd_put KEY VALUE, etcd_del KEY, etcd_val KEY (its value in VAL, "" when
# none), for keys that are text.
etcd_put() {
	local k
	str_b64 "$1"
	k=$B64OUT
	str_b64 "$2"
	etcd_gw /v3/kv/put "{\"key\":\"$k\",\"value\":\"$B64OUT\"}"
}
etcd_del() { str_b64 "$1" && etcd_gw /v3/kv/deleterange "{\"key\":\"$B64OUT\"}"; }
etcd_val() {
	VAL=
	str_b64 "$1"
	etcd_gw /v3/kv/range "{\"key\":\"$B64OUT\"}" || return 1
	[[ $GW =~ \"value\":\"([^\"]*)\" ]] || return 0
	b64_str "${BASH_REMATCH[1]}"
	VAL=$STROUT
}
# etcd_lskeys SUB: the keys under the fleet prefix + SUB that are printable
# text (no byte under 33 or over 126), one a line.
etcd_lskeys() {
	local b re='"key":"([^"]*)"'
	prefix_range "$1"
	etcd_gw /v3/kv/range "{$RANGE,\"keys_only\":true}" || return 1
	while [[ $GW =~ $re ]]; do
		GW=${GW#*"${BASH_REMATCH[0]}"} b=${BASH_REMATCH[1]}
		b64_hex "$b"
		[[ $HEXOUT =~ ^(2[1-9a-f]|[3-6][0-9a-f]|7[0-9a-e])*$ ]] || continue
		b64_str "$b"
		printf '%s\n' "$STROUT"
	done
}
# etcd_nkeys SUB: how many keys under the fleet prefix + SUB (any bytes).
etcd_nkeys() {
	prefix_range "$1"
	etcd_gw /v3/kv/range "{$RANGE,\"count_only\":true}"
	if [[ $GW =~ \"count\":\"([0-9]+)\" ]]; then echo "${BASH_REMATCH[1]}"
	elif [[ $GW == *'"header":'* ]]; then echo 0
	else echo "etcd: no answer: $GW"; fi
}
# etcd_end_leases LO HI: tests/lib/etcd.sh's, redefined here through the
# gateway (its etcdctl and sed per lease each time add up: this suite ends
# leases some twenty times over a growing list).  Prints how many it ended.
etcd_end_leases() {
	local lo=$1 hi=$2 id g n=0 re='"ID":"([0-9]+)"' ids=()
	etcd_gw /v3/lease/leases '{}' || return 1
	while [[ $GW =~ $re ]]; do
		ids+=("${BASH_REMATCH[1]}")
		GW=${GW#*"${BASH_REMATCH[0]}"}
	done
	for id in "${ids[@]}"; do
		etcd_gw /v3/lease/timetolive "{\"ID\":\"$id\"}" || continue
		[[ $GW =~ \"grantedTTL\":\"([0-9]+)\" ]] || continue
		g=${BASH_REMATCH[1]}
		((g > lo && g <= hi)) || continue
		etcd_gw /v3/lease/revoke "{\"ID\":\"$id\"}" && n=$((n + 1))
	done
	echo "$n"
}
# etcd_grant TTL: a new lease's ID (decimal, as the gateway takes it) in LEASE.
etcd_grant() {
	LEASE=
	etcd_gw /v3/lease/grant "{\"TTL\":$1}" || return 1
	[[ $GW =~ \"ID\":\"([0-9]+)\" ]] && LEASE=${BASH_REMATCH[1]}
}
