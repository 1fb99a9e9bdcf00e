#!/bin/bash
# oauth-tls.sh - TLS verification is always on: an expired certificate, a
# certificate for another host and one from an unknown CA are refused with
# ERROR and nothing stored; ca_file adds the test CA to the trusted ones.
. "$top_srcdir/tests/lib/oauth.sh"

for mode in expired wronghost untrusted; do
	oauth_server_up --cert-mode "$mode"
	oauth_config
	drv_token
	expect_eq "$mode certificate: ERROR" ERROR "$ST"
	expect_match "$mode certificate: message" \
		'TLS verification of 127.0.0.1:[0-9]+ failed \(.+\); check ca_file' "$ERR"
	expect_eq "$mode certificate: nothing stored" 0 "$(store_count)"
	expect_eq "$mode certificate: no request reached the server" 0 "$(stat_of total)"
	cobo_server_stop
done

# A good certificate, the CA given as ~/path.
oauth_server_up
cp "$COBO_SERVER_CA" "$HOME/test-ca.pem"
OAUTH_BARE=1 oauth_config "base_url = $COBO_SERVER_URL" "client_id = $CLIENT_ID" \
	"org_id = $ORG" "server_key = $COBO_SERVER_PUBKEY" "ca_file = ~/test-ca.pem" \
	"app_secret = file:$KEY_PEM"
drv_token
expect_eq "good certificate, ca_file ~/: SUCCESS" SUCCESS "$ST"

# localhost is in the certificate too; the query names the same server.
OAUTH_BARE=1 oauth_config "base_url = https://localhost:$COBO_SERVER_PORT/v2" \
	"client_id = $CLIENT_ID" "org_id = $ORG2" "server_key = $COBO_SERVER_PUBKEY" \
	"ca_file = $COBO_SERVER_CA" "app_secret = file:$KEY_PEM"
drv_token
expect_eq "localhost base_url: SUCCESS" SUCCESS "$ST"
expect_eq "localhost base_url: token valid" true "$(token_valid "$TOKEN")"
t_done
