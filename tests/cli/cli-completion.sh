#!/bin/bash
# cli-completion.sh - the bash completion of cobo-credential
# (completion/cobo-credential) against the built CLI: subcommands, their
# options, profile names and orgs read through `profile list` from the
# --config of the line (or COBO_CREDENTIAL_CONFIG), --format values, and
# nothing offered after an option that takes a free value.
. "$top_srcdir/tests/lib/common.sh"
CLI_DIR="$top_builddir/src/cli"
[ -x "$CLI_DIR/cobo-credential" ] || { echo "no $CLI_DIR/cobo-credential: build it first"; exit 99; }
export PATH="$CLI_DIR:$PATH"
. "$top_srcdir/completion/cobo-credential"

CONF=$T_TMP/config
printf '[profile %s]\nbase_url = https://api.dev.cobo.com/v2\nclient_id = cid\norg_id = %s\napp_secret = env:NONE\nserver_key = dev\n' \
	acme-dev 'org-1, org-2' acme-any '*' ops 'org-9' > "$CONF"
chmod 600 "$CONF"

# complete WORDS...: COMPREPLY for the last word of the line (may be ""),
# sorted, on one line.
complete_line() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_cobo_credential
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

expect_eq "the commands" "--config --help --version api doctor help key logout profile proxy setup sign status token" \
	"$(complete_line cobo-credential '')"
expect_eq "a command by prefix" "setup sign status" "$(complete_line cobo-credential s)"
expect_eq "sign's options" "--body --config --format --help --method --org --profile" \
	"$(complete_line cobo-credential sign -)"
expect_eq "api's options" "--body --config --help --include --method --org --profile" \
	"$(complete_line cobo-credential api -)"
expect_eq "sign --format: header or json" "header json" "$(complete_line cobo-credential sign --format '')"
expect_eq "proxy's options" "--access-log --config --help --listen --max-body --max-headers --profile --socket --timeout" \
	"$(complete_line cobo-credential proxy -)"
expect_eq "token's options" "--config --format --help --min-valid --org --profile" \
	"$(complete_line cobo-credential token -)"
expect_eq "--format values" "env exec-credential" "$(complete_line cobo-credential token --format e)"
expect_eq "profiles from --config" "acme-any acme-dev ops" \
	"$(complete_line cobo-credential --config "$CONF" token --profile '')"
expect_eq "profiles by prefix" "acme-any acme-dev" \
	"$(complete_line cobo-credential --config "$CONF" status --profile ac)"
expect_eq "profiles from COBO_CREDENTIAL_CONFIG" "acme-any acme-dev ops" \
	"$(COBO_CREDENTIAL_CONFIG=$CONF complete_line cobo-credential token --profile '')"
expect_eq "orgs of the chosen profile" "org-1 org-2" \
	"$(complete_line cobo-credential --config "$CONF" token --profile acme-dev --org '')"
expect_eq "orgs of every profile, never '*'" "org-1 org-2 org-9" \
	"$(complete_line cobo-credential --config "$CONF" token --org '')"
expect_eq "profile show NAME" "ops" "$(complete_line cobo-credential --config "$CONF" profile show o)"
expect_eq "key's verbs" "generate import public" "$(complete_line cobo-credential key '')"
expect_eq "nothing after --client-id" "" "$(complete_line cobo-credential setup --client-id '')"
expect_eq "nothing for a new profile's --name" "" \
	"$(complete_line cobo-credential --config "$CONF" setup --name '')"
expect_eq "no config: no profile, no error" "" \
	"$(complete_line cobo-credential --config "$T_TMP/none" token --profile '' 2>&1)"
t_done
