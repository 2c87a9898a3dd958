'use strict';
// The official Xero Node SDK (xero-node) signs in to the sandbox as its README shows a web app doing it:
// initialize (OpenID discovery), buildConsentUrl, then the person's consent, apiCallback (the code exchanged and the
// id token verified against the published keys), updateTenants (GET /connections, then each organisation),
// refreshToken, and one Accounting API call.
//
// Run with SANDBOX_MANIFEST=<sandbox.json> and NODE_EXTRA_CA_CERTS=<its ca_file>. The person's part happens
// elsewhere: this prints {"consent_url": …} on a line of its own and reads back, on stdin, the URL the browser was
// sent back to. At the end it prints one line of JSON saying what the SDK got.

const fs = require('fs');
const readline = require('readline');
const { redirectHosts } = require('./sandbox-hosts');

const manifest = JSON.parse(fs.readFileSync(process.env.SANDBOX_MANIFEST, 'utf8'));
redirectHosts({ 'identity.xero.com': manifest.hosts['xero-identity'], 'api.xero.com': manifest.hosts['xero-api'] });

const { XeroClient } = require('xero-node');

const REDIRECT_URI = 'http://127.0.0.1:8000/xero/callback/';
const SCOPES = 'openid profile email offline_access accounting.settings accounting.transactions accounting.contacts';

function nextLine() {
  const lines = readline.createInterface({ input: process.stdin });
  return new Promise((resolve) => lines.once('line', (line) => { lines.close(); resolve(line.trim()); }));
}

async function main() {
  const app = manifest.xero.apps.find((candidate) => candidate.kind === 'web');
  const xero = new XeroClient({
    clientId: app.client_id,
    clientSecret: app.client_secret,
    redirectUris: [REDIRECT_URI],
    scopes: SCOPES.split(' '),
    state: `state-${process.pid}`,
    httpTimeout: 20000,
  });
  await xero.initialize();
  const consentUrl = await xero.buildConsentUrl();
  console.log(JSON.stringify({ consent_url: consentUrl }));

  const tokenSet = await xero.apiCallback(await nextLine());
  const claims = tokenSet.claims();
  const tenants = await xero.updateTenants();
  const firstAccessToken = tokenSet.access_token;
  const refreshed = await xero.refreshToken();
  const organisations = await xero.accountingApi.getOrganisations(tenants[0].tenantId);

  console.log(JSON.stringify({
    issuer: xero.openIdClient.issuer.issuer,
    id_token_email: claims.email,
    id_token_audience: claims.aud,
    scope: tokenSet.scope,
    tenants: tenants.map((tenant) => ({ id: tenant.tenantId, name: tenant.tenantName, organisation: tenant.orgData && tenant.orgData.name })),
    refreshed: Boolean(refreshed.access_token) && refreshed.access_token !== firstAccessToken,
    refresh_token_rotated: refreshed.refresh_token !== tokenSet.refresh_token,
    organisation: organisations.body.organisations[0].name,
    organisation_status: organisations.response.status,
  }));
}

main().catch((error) => {
  const detail = error && (error.response ? { status: error.response.statusCode || error.response.status, body: error.body || error.response.body } : {});
  console.error('xero-node sign-in failed:', error && (error.stack || error), JSON.stringify(detail));
  process.exit(1);
});
