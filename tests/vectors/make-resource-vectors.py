#!/usr/bin/env python3
"""Writes tests/vectors/cobo-signing-resources.json: request-signing vectors
for resource calls (the signed requests of 'cobo-credential sign', 'api' and
the proxy), computed here with Python's 'cryptography' package, independently
of the C code they test, in the layout of cobo-signing.json's request_cases.

The rules, as the official SDKs apply them (cobo-waas2-python-sdk
ApiClient.call_api): METHOD upper-case; PATH the URL path including the /v2
base path; PARAMS the query exactly as sent (the SDK sends and signs
urlencode(params): space as '+', '+' as %2B); BODY the bytes sent, '' for a
GET or DELETE without a body (the SDK signs b'' then).  Nothing sorted or
re-encoded by the signer.

Run: python3 tests/vectors/make-resource-vectors.py > tests/vectors/cobo-signing-resources.json
"""
import hashlib
import json
import urllib.parse

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# RFC 8032 section 7.1 TEST 2 and TEST 3 seeds.
SEEDS = ["4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"]


def case(name, note, seed_hex, method, path, nonce, params, body):
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex))
    pub = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw).hex()
    s = "%s|%s|%s|%s|%s" % (method, path, nonce, params, body)
    mid = hashlib.sha256(s.encode("utf-8")).digest()
    digest = hashlib.sha256(mid).digest()
    sig = key.sign(digest).hex()
    return {
        "name": name, "note": note, "private_key_seed_hex": seed_hex,
        "public_key_hex": pub, "method": method, "path": path, "nonce": nonce,
        "params": params, "body": body, "body_utf8_hex": body.encode("utf-8").hex(),
        "request_target": path + ("?" + params if params else ""),
        "str_to_sign": s, "str_to_sign_sha256_hex": mid.hex(), "digest_hex": digest.hex(),
        "signature_hex": sig,
        "headers": {"Biz-Api-Key": pub, "Biz-Api-Nonce": nonce, "Biz-Api-Signature": sig},
    }


def main():
    q_sdk = urllib.parse.urlencode({"name": "my wallet", "tag": "a+b", "limit": 10})
    utf8 = json.dumps({"name": "Zoë 钱包 ✓", "note": "a+b %2B c", "n": [1, 2.5, None]},
                      ensure_ascii=False, separators=(",", ":"))
    sdk_body = json.dumps({"name": "Zoë", "wallet_type": "Custodial"})
    cases = [
        case("resource_get_query_space_plus",
             "GET with the query as the SDK sends it: urlencode, space as '+', '+' as %2B",
             SEEDS[0], "GET", "/v2/wallets", "1733500000000", q_sdk, ""),
        case("resource_get_query_percent20",
             "the same values spelled with %20 (curl, other clients): signed as sent, so a "
             "different signature", SEEDS[0], "GET", "/v2/wallets", "1733500000000",
             "name=my%20wallet&tag=a%2Bb&limit=10", ""),
        case("resource_get_empty_value_kept",
             "an empty value and a repeated key, in the order sent", SEEDS[0], "GET",
             "/v2/wallets", "1733500000001", "cursor=&chain_ids=BTC&chain_ids=ETH", ""),
        case("resource_post_utf8_json",
             "POST with a compact UTF-8 JSON body (raw UTF-8 bytes, not escaped)", SEEDS[1],
             "POST", "/v2/wallets", "1733500000002", "", utf8),
        case("resource_post_sdk_json",
             "POST as the Python SDK serialises (json.dumps defaults: ASCII escapes, ', ' "
             "and ': ')", SEEDS[1], "POST", "/v2/wallets", "1733500000003", "", sdk_body),
        case("resource_put_utf8_json", "PUT with a UTF-8 JSON body", SEEDS[1], "PUT",
             "/v2/wallets/0b1c-2d", "1733500000004", "", utf8),
        case("resource_delete_no_body", "DELETE without a body: BODY is ''", SEEDS[0],
             "DELETE", "/v2/wallets/0b1c-2d", "1733500000005", "force=true", ""),
        case("resource_get_no_query", "GET with neither query nor body", SEEDS[0], "GET",
             "/v2/wallets/enabled_chains", "1733500000006", "", ""),
    ]
    doc = {
        "name": "cobo-signing-resources",
        "version": 1,
        "description": {"summary": __doc__.split("\n\n")[0].replace("\n", " "),
                        "request_cases[]": "as in cobo-signing.json"},
        "request_cases": cases,
    }
    print(json.dumps(doc, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
