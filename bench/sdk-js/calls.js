// bench/sdk-js/calls.js - N signed resource calls through Cobo's official JS SDK
// (@cobo/cobo-waas2, pinned in package.json beside this file), for bench/run.sh.
//
//   NODE_PATH=CACHE/node_modules NODE_EXTRA_CA_CERTS=ca.pem \
//     node calls.js BASE_URL KIND N SEED_FILE TOKEN_FILE ORG_ID CLIENT_ID
//
// KIND is "get" (WalletsApi.listWallets with a query) or "post"
// (WalletsApi.createWallet with a JSON body). The SDK signs every call itself;
// this file only hands it the app key and the Org Access Token, read from
// files (never argv), and checks every answer against what the Cobo test
// server echoes (tests/server/README.md "Resource calls"): a call that fails,
// or arrives changed, ends the run with exit 1, so a fast failure never
// looks like a fast call. N = 0 loads and configures the SDK and makes no
// call: what bench/run.sh subtracts as the SDK's start-up.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const CoboWaas2 = require('@cobo/cobo-waas2');

const QUERY = { wallet_type: 'Custodial', limit: 10 };
const QUERY_SENT = 'wallet_type=Custodial&limit=10';
const BODY = { wallet_type: 'Custodial', wallet_subtype: 'Asset', name: 'bench wallet' };

function fail(msg) {
  process.stderr.write('calls.js: ' + msg + '\n');
  process.exit(1);
}

function expected(kind, org, client) {
  const body = kind === 'post' ? Buffer.from(JSON.stringify(BODY), 'utf8') : Buffer.alloc(0);
  return {
    method: kind === 'post' ? 'POST' : 'GET',
    path: '/v2/wallets',
    query: kind === 'post' ? '' : QUERY_SENT,
    body_sha256: crypto.createHash('sha256').update(body).digest('hex'),
    org_id: org,
    client_id: client,
  };
}

function check(res, want, i) {
  const status = res.response && res.response.status;
  if (status !== 200)
    fail('call ' + i + ': HTTP ' + status);
  let got;
  try {
    got = JSON.parse(res.response.text);
  } catch (e) {
    fail('call ' + i + ': the answer is not JSON');
  }
  for (const k of Object.keys(want))
    if (got[k] !== want[k])
      fail('call ' + i + ': ' + k + ' is ' + JSON.stringify(got[k]) + ', not ' + JSON.stringify(want[k]));
}

async function main(argv) {
  if (argv.length !== 7 || !['get', 'post'].includes(argv[1]) || !/^[0-9]+$/.test(argv[2]))
    fail('usage: calls.js BASE_URL get|post N SEED_FILE TOKEN_FILE ORG_ID CLIENT_ID');
  const [base, kind, nText, seedFile, tokenFile, org, client] = argv;
  const n = Number(nText);
  const seed = fs.readFileSync(seedFile, 'utf8').trim();
  const token = fs.readFileSync(tokenFile, 'utf8').trim();
  const api = new CoboWaas2.ApiClient(new CoboWaas2.Env(base), seed);
  // createWallet sends the token (auth OAuth2); listWallets names CoboAuth
  // only in this SDK version, so the token also goes as a default header.
  api.authentications['OAuth2'].accessToken = token;
  api.defaultHeaders['Authorization'] = 'Bearer ' + token;
  const wallets = new CoboWaas2.WalletsApi(api);
  const want = expected(kind, org, client);
  for (let i = 0; i < n; i++) {
    let res;
    try {
      res = kind === 'post' ? await wallets.createWalletWithHttpInfo({ CreateWalletParams: BODY })
                            : await wallets.listWalletsWithHttpInfo(QUERY);
    } catch (e) {
      const why = e && e.response ? 'HTTP ' + e.status + ' ' + (e.response.text || '').slice(0, 200)
                                  : String(e && (e.error || e));
      fail('call ' + i + ': ' + why);
    }
    check(res, want, i);
  }
  process.stdout.write('ok ' + n + ' ' + kind + ' calls\n');
}

main(process.argv.slice(2));
