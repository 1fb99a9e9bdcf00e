#!/bin/bash
# docker-protocol.sh - docker-credential-cobo speaks the Docker
# credential-helper protocol rule by rule (issue 6), over the file module:
# verbs, exact error strings, one entry per ServerURL, identity tokens,
# 1 MiB secrets, NUL, unicode, Cobo hosts refused for store; and the Go
# semantics of the store JSON checked against Debian's
# docker-credential-secretservice as an oracle.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/docker.sh"

dk_file_stack

# --- verbs ------------------------------------------------------------------
dk version
expect_eq "version: exit 0" 0 "$RC"
expect_match "version: name and version" '^docker-credential-cobo \(cobo-credential\) [0-9]+\.[0-9]+' "$OUT"
one_line "version"
"$HELPER" > "$T_TMP/out" 2>&1 < /dev/null
expect_eq "no argument: exit 1" 1 "$?"
expect_eq "no argument: usage on stdout" \
	"Usage: docker-credential-cobo <store|get|erase|list|version>" "$(cat "$T_TMP/out")"
"$HELPER" get list > "$T_TMP/out" 2>&1 < /dev/null
expect_eq "two arguments: exit 1" 1 "$?"
dk frobnicate
expect_eq "unknown verb: exit 1" 1 "$RC"
expect_eq "unknown verb: the reference's message" 'Unknown credential action `frobnicate`' "$OUT"

dk list
expect_eq "list, nothing stored: {}" "{}" "$OUT"
expect_eq "list, nothing stored: exit 0" 0 "$RC"
one_line "list"

# --- store / get --------------------------------------------------------------
dk_store 127.0.0.1:5000 alice 'pw-1'
expect_eq "store: exit 0" 0 "$RC"
expect_eq "store: prints nothing" "" "$(cat "$T_TMP/out")"
dk get 127.0.0.1:5000
expect_eq "get: exit 0" 0 "$RC"
expect_eq "get: exact answer" '{"ServerURL":"127.0.0.1:5000","Username":"alice","Secret":"pw-1"}' "$OUT"
one_line "get"
dk get $' \t127.0.0.1:5000 \r\n'
expect_eq "get: surrounding white space and CRLF trimmed" \
	'{"ServerURL":"127.0.0.1:5000","Username":"alice","Secret":"pw-1"}' "$OUT"
dk get $'127.0.0.1:\n5000\n'
expect_eq "get: lines joined as the reference helper joins them" 0 "$RC"
dk get 127.0.0.1:5001
expect_eq "get, unknown server: exit 1" 1 "$RC"
expect_eq "get, unknown server: exact not-found text" "credentials not found in native keychain" "$OUT"
one_line "get, unknown server"
dk get 127.0.0.1
expect_eq "get matches the server exactly (no port is another server)" 1 "$RC"
dk get ''
expect_eq "get, empty input: the reference's message" "no credentials server URL" "$OUT"
expect_eq "get, empty input: exit 1" 1 "$RC"
dk get $' \n\t\n'
expect_eq "get, blank input: no URL" "no credentials server URL" "$OUT"

# --- one entry per ServerURL -----------------------------------------------------
dk_store 127.0.0.1:5000 bob 'pw-2'
dk get 127.0.0.1:5000
expect_eq "store, another username: replaces" \
	'{"ServerURL":"127.0.0.1:5000","Username":"bob","Secret":"pw-2"}' "$OUT"
dk list
expect_eq "store, another username: one entry" '{"127.0.0.1:5000":"bob"}' "$OUT"
dk_store 127.0.0.1:5000 bob 'pw-3'
dk get 127.0.0.1:5000
expect_eq "store, same username: new secret" "pw-3" "$(json_field Secret)"

# --- address spellings the clients use: stored as sent, found as asked ------------
dk_store https://index.docker.io/v1/ hubuser 'hub-pw'
dk_store registry.example.com:443 r443 'pw-443'
dk_store https://registry.example.com r-https 'pw-https'
dk get https://index.docker.io/v1/
expect_eq "Docker Hub's address" \
	'{"ServerURL":"https://index.docker.io/v1/","Username":"hubuser","Secret":"hub-pw"}' "$OUT"
dk get registry.example.com:443
expect_eq "host:port is its own entry" "r443" "$(json_field Username)"
dk get https://registry.example.com
expect_eq "scheme://host is its own entry" "r-https" "$(json_field Username)"
dk list
expect_eq "list: every server, keys sorted as Go sorts them" \
	'{"127.0.0.1:5000":"bob","https://index.docker.io/v1/":"hubuser","https://registry.example.com":"r-https","registry.example.com:443":"r443"}' \
	"$OUT"

# --- erase --------------------------------------------------------------------
dk erase registry.example.com:443
expect_eq "erase: exit 0" 0 "$RC"
expect_eq "erase: prints nothing" "" "$(cat "$T_TMP/out")"
dk get registry.example.com:443
expect_eq "erase: gone" "credentials not found in native keychain" "$OUT"
dk get https://registry.example.com
expect_eq "erase: other spellings untouched" 0 "$RC"
dk erase registry.example.com:443
expect_eq "erase again: exit 0" 0 "$RC"
expect_eq "erase again: silent" "" "$OUT"
dk erase never.stored.example
expect_eq "erase, never stored: exit 0" 0 "$RC"
dk erase ''
expect_eq "erase, empty input: the reference's message" "no credentials server URL" "$OUT"
expect_eq "erase, empty input: exit 1" 1 "$RC"

# --- store validation ---------------------------------------------------------
dk store '{"Username":"u","Secret":"s"}'
expect_eq "store without ServerURL: exact message" "no credentials server URL" "$OUT"
expect_eq "store without ServerURL: exit 1" 1 "$RC"
dk store '{"ServerURL":"x.example","Secret":"s"}'
expect_eq "store without Username: exact message" "no credentials username" "$OUT"
dk store '{"ServerURL":"x.example","Username":"","Secret":"s"}'
expect_eq "store with an empty Username: exact message" "no credentials username" "$OUT"
dk store ''
expect_eq "store, no input: exit 1" 1 "$RC"
dk store '{"ServerURL":"x.example",'
expect_match "store, broken JSON: says so" '^invalid JSON at byte [0-9]+; ' "$OUT"
dk store '{"ServerURL":5}'
expect_match "store, wrong type: names the field" '^ServerURL must be a JSON string' "$OUT"
dk get x.example
expect_eq "nothing stored by the refused requests" 1 "$RC"

dk store '{"serverurl":"case.example","USERNAME":"u","sEcReT":"s"}'
dk get case.example
expect_eq "field names case-insensitive, as Go matches them" \
	'{"ServerURL":"case.example","Username":"u","Secret":"s"}' "$OUT"
dk store '{"ServerURL":"trail.example","Username":"u","Secret":"s"}{"ServerURL":"other"} junk'
expect_eq "data after the first JSON value ignored" 0 "$RC"
dk get trail.example
expect_eq "... and the first value stored" "s" "$(json_field Secret)"
dk store '{"ServerURL":"empty-secret.example","Username":"u"}'
dk get empty-secret.example
expect_eq "an absent Secret is an empty one" \
	'{"ServerURL":"empty-secret.example","Username":"u","Secret":""}' "$OUT"

# --- identity tokens, escaping, unicode ------------------------------------------
dk_store id.example '<token>' 'eyJhbGciOi.refresh&token<>'
dk get id.example
expect_eq "identity token: Go escapes <, >, & as the reference does" \
	'{"ServerURL":"id.example","Username":"\u003ctoken\u003e","Secret":"eyJhbGciOi.refresh\u0026token\u003c\u003e"}' \
	"$OUT"
expect_eq "identity token: Username decodes to <token>" "<token>" "$(json_field Username)"
dk list
expect_match "identity token listed" '"id.example":"\\u003ctoken\\u003e"' "$OUT"

USECRET=$'pässwörd 密码 😀 "quoted" back\\slash tab\there\u2028line'
dk_store 'ünï.example' 'üser' "$USECRET"
dk get 'ünï.example'
expect_eq "unicode and escapes round-trip: secret" "$USECRET" "$(json_field Secret)"
expect_eq "unicode round-trips: username" "üser" "$(json_field Username)"
one_line "unicode answer"
dk store '{"ServerURL":"nl.example","Username":"u","Secret":"line1\nline2\r\n"}'
dk get nl.example
expect_eq "newlines in a secret stay escaped: one line" 1 "$(wc -l < "$T_TMP/out")"
expect_eq "newlines in a secret round-trip" 'line1\nline2\r\n' \
	"$("$PYTHON" -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["Secret"])[1:-1], end="")' "$T_TMP/out")"

# --- NUL and size ------------------------------------------------------------------
dk store '{"ServerURL":"nul.example","Username":"u","Secret":"ab\u0000cd"}'
expect_eq "secret with NUL: refused" 1 "$RC"
expect_match "secret with NUL: clear message" '^Secret contains a NUL character' "$OUT"
dk get nul.example
expect_eq "secret with NUL: nothing stored (not truncated)" 1 "$RC"

"$PYTHON" - "$T_TMP" <<'EOF'
import json, random, sys
rnd = random.Random(6)
alphabet = [chr(c) for c in range(32, 127)] + list("éü密码😀\t\n\u2028")
secret = "".join(rnd.choice(alphabet) for _ in range(1024 * 1024))
open(sys.argv[1] + "/big.secret", "w", encoding="utf-8").write(secret)
json.dump({"ServerURL": "big.example", "Username": "u", "Secret": secret},
          open(sys.argv[1] + "/big.json", "w", encoding="utf-8"))
json.dump({"ServerURL": "huge.example", "Username": "u", "Secret": "x" * (2 * 1024 * 1024)},
          open(sys.argv[1] + "/huge.json", "w"))
EOF
dk_file store "$T_TMP/big.json"
expect_eq "1 Mi-character secret: stored" 0 "$RC"
dk get big.example
expect_eq "1 Mi-character secret: round-trips exactly" ok \
	"$("$PYTHON" -c 'import json,sys; a=json.load(open(sys.argv[1]))["Secret"]; b=open(sys.argv[2],encoding="utf-8").read(); print("ok" if a==b else "differs: %d vs %d" % (len(a),len(b)))' "$T_TMP/out" "$T_TMP/big.secret")"
one_line "1 MiB answer"
dk_file store "$T_TMP/huge.json"
expect_eq "request over 2 MiB: refused" 1 "$RC"
expect_match "request over 2 MiB: clear message" '^request larger than 2 MiB' "$OUT"
dk get huge.example
expect_eq "request over 2 MiB: nothing stored" 1 "$RC"

# --- stdout only, no secret anywhere else -------------------------------------------
dk_store quiet.example u 'Quiet-Secret-123'
COBO_CREDENTIAL_TRACE=1 dk get quiet.example
expect_eq "traced get still answers" "Quiet-Secret-123" "$(json_field Secret)"
case $ERR in *Quiet-Secret-123*) fail "the secret leaked into the trace" ;;
*) pass "the secret is not in the trace" ;; esac
dk get quiet.example
expect_eq "untraced: nothing on stderr" "" "$ERR"

# --- Cobo hosts: tokens are minted, never stored by hand -----------------------------
dk_file_stack "[profile acme]
base_url = https://api.acme.example/v2
client_id = cid
org_id = org-acme"
dk_store api.acme.example org-acme 'typed-in-token'
expect_eq "store for a Cobo host: refused" 1 "$RC"
expect_eq "store for a Cobo host: says why" \
	"not storing credentials for Cobo profile 'acme': its access tokens are minted on demand, so no login is needed" \
	"$OUT"
dk_store https://api.acme.example:443/v2/ someone 'x'
expect_eq "store for the same host spelled as a URL: refused" 1 "$RC"
dk_store cobo://acme org-acme 'x'
expect_eq "store for cobo://PROFILE: refused" 1 "$RC"
dk list
expect_eq "nothing stored for the Cobo host" "false" \
	"$(case $OUT in *acme*) echo true ;; *) echo false ;; esac)"
dk_store api.acme.example:8443 u 'other-port'
expect_eq "another port of that host is a plain registry" 0 "$RC"
dk get cobo://nosuch
expect_eq "cobo://unknown profile: exit 1" 1 "$RC"
expect_match "cobo://unknown profile: names it" "no profile 'nosuch'" "$OUT"

dk_file_stack "[profile one]
base_url = https://api.twin.example/v2
client_id = c1
org_id = org-1
[profile two]
base_url = https://api.twin.example/v2
client_id = c2
org_id = org-2"
dk get api.twin.example
expect_eq "two profiles on one host: get fails" 1 "$RC"
expect_match "two profiles on one host: lists them" "profiles one, two" "$OUT"
dk erase api.twin.example
expect_eq "two profiles on one host: erase fails too" 1 "$RC"
dk_store api.twin.example org-1 x
expect_eq "two profiles on one host: store refused" 1 "$RC"

# --- a broken configuration is an error, on stdout ------------------------------------
dk_file_stack "[stack2]"
dk get 127.0.0.1:5000
expect_eq "bad config: exit 1" 1 "$RC"
expect_match "bad config: file:line and what to do" 'config:[0-9]+: ' "$OUT"
dk version
expect_eq "bad config: version still works" 0 "$RC"
dk_file_stack

# --- Go semantics: docker-credential-secretservice as the oracle ------------------------
# The reference validates the JSON exactly as Go decodes it before it ever
# reaches D-Bus (pointed at a bus that does not exist, so it fails there).
if command -v docker-credential-secretservice > /dev/null; then
	while IFS= read -r json; do
		ref=$(printf '%s' "$json" | DBUS_SESSION_BUS_ADDRESS="unix:path=$T_TMP/no-bus" \
			DISPLAY= docker-credential-secretservice store 2>&1)
		dk store "$json"
		case $ref in
		"no credentials server URL" | "no credentials username")
			expect_eq "as the reference: $json" "$ref" "$OUT" ;;
		json:* | EOF | "unexpected EOF" | invalid\ character*)
			expect_eq "refused like the reference ($ref): $json" 1 "$RC" ;;
		"Could not connect"*)
			expect_eq "accepted like the reference: $json" 0 "$RC" ;;
		*)
			fail "the reference said something unexpected ($ref) to: $json" ;;
		esac
	done <<'EOF'
null
{}
[]
"str"
{"ServerURL":5}
{"ſerverURL":"go1.example"}
{"ſerverURL":"go2.example","Uſername":"u"}
{"\u0053erverURL":"go3.example"}
{"ServerURL":"go4.example","ServerURL":null}
{"ServerURL":"go5.example","serverurl":""}
{"serverurl":"","ServerURL":"go6.example","username":"u"}
{"ServerURL":"go7.example","Username":true}
{"ServerURL":"go8.example","Username":"u","Secret":1}
{"ServerURL":"go9.example",}
{"ServerURL":"go10.example","Username":"u"} trailing junk
{"ServerURL":"go11.example","Username":"u","x":[1,{"y":[]}],"Secret":"s"}
{"ServerURL":"go12.example","Username":"u","x":01}
{"ServerURL":"go13.example","Username":"u","x":-0.5e+7}
{"ServerURL":"go14.example","Username":"u","Secret":"\ud800"}
{"ServerURL":"go15.example","Username":"u","Secret":"\x"}
{"ServerURL":"go16.example","Username":"u","ServerURL":"go16b.example"}
{"Server URL":"go17.example","Username":"u"}
{"ServerURL":"go18.example","Username":"u","Secret":"s"
  {"ServerURL":"go19.example","Username":"u"}
{"ServerURL":"go20.example","Username":"K"}
EOF
	dk get go16b.example
	expect_eq "the later of two ServerURL fields is the one stored" "u" "$(json_field Username)"
	dk get go2.example
	expect_eq "U+017F LONG S keys matched as Go matches them" "u" "$(json_field Username)"
else
	fail "docker-credential-secretservice is missing (Debian package golang-docker-credential-helpers)"
fi

t_done
