'use strict';
// dynamics-web-api, unchanged, against a Dataverse organisation of the sandbox (driven by
// tests/sandbox/dataverse/test_dynamics_web_api.py). It reads what to do from the JSON in its one argument:
//   { "server_url": "https://…", "token": "<access token for server_url>", "tag": "<unique text for row names>" }
// and prints one JSON line: the rows it made, what it read back after each step, the FetchXML pages and the metadata.
// TLS is checked against the sandbox's CA (NODE_EXTRA_CA_CERTS).

const { DynamicsWebApi } = require('dynamics-web-api');

const PAGING_COOKIE = 'Microsoft.Dynamics.CRM.fetchxmlpagingcookie';
const PAGE_SIZE = 2;
const CONTACTS = 5;

function contactsFetchXml(tag) {
  return (
    `<fetch count="${PAGE_SIZE}">` +
    '<entity name="contact"><attribute name="lastname" /><attribute name="contactid" />' +
    `<filter><condition attribute="lastname" operator="like" value="${tag} %" /></filter>` +
    '<order attribute="lastname" /></entity></fetch>'
  );
}

async function makeRows(api, tag) {
  const account = await api.create({ collection: 'accounts', data: { name: `${tag} account` } });
  const contacts = [];
  for (let index = 0; index < CONTACTS; index += 1) {
    const data = { firstname: 'Tui', lastname: `${tag} ${String(index).padStart(2, '0')}` };
    contacts.push(await api.create({ collection: 'contacts', data }));
  }
  return { account, contacts };
}

async function parentOf(api, contactId) {
  const row = await api.retrieve({ collection: 'contacts', key: contactId, select: ['_parentcustomerid_value'] });
  return row._parentcustomerid_value;
}

async function primaryContactOf(api, accountId) {
  const row = await api.retrieve({ collection: 'accounts', key: accountId, select: ['_primarycontactid_value'] });
  return row._primarycontactid_value;
}

async function childrenOf(api, accountId) {
  const rows = await api.retrieveMultiple({
    collection: 'contacts',
    select: ['contactid'],
    filter: `_parentcustomerid_value eq ${accountId}`,
  });
  return rows.value.map((row) => row.contactid).sort();
}

// Through the account's collection-valued navigation: two contacts in, the second out again.
async function collectionValued(api, account, [first, second]) {
  const through = { collection: 'accounts', primaryKey: account, relationshipName: 'contact_customer_accounts' };
  await api.associate({ ...through, relatedCollection: 'contacts', relatedKey: first });
  await api.associate({ ...through, relatedCollection: 'contacts', relatedKey: second });
  const associated = { children: await childrenOf(api, account), parents: [await parentOf(api, first), await parentOf(api, second)] };
  await api.disassociate({ ...through, relatedKey: second });
  const disassociated = { children: await childrenOf(api, account), parents: [await parentOf(api, first), await parentOf(api, second)] };
  return { associated, disassociated };
}

// The account's primary contact: set to one, changed to another, cleared, then set to the first again.
async function singleValued(api, account, [first, second]) {
  const lookup = { collection: 'accounts', primaryKey: account, navigationProperty: 'primarycontactid' };
  const seen = {};
  await api.associateSingleValued({ ...lookup, relatedCollection: 'contacts', relatedKey: second });
  seen.set = await primaryContactOf(api, account);
  await api.associateSingleValued({ ...lookup, relatedCollection: 'contacts', relatedKey: first });
  seen.changed = await primaryContactOf(api, account);
  await api.disassociateSingleValued(lookup);
  seen.cleared = await primaryContactOf(api, account);
  await api.associateSingleValued({ ...lookup, relatedCollection: 'contacts', relatedKey: first });
  seen.set_again = await primaryContactOf(api, account);
  return seen;
}

// Page by page with `fetch`, each next page asked for with the paging cookie the previous one gave; then `fetchAll`.
async function fetchXmlPages(api, tag) {
  const fetchXml = contactsFetchXml(tag);
  const pages = [];
  let pageNumber = 1;
  let pagingCookie = null;
  for (;;) {
    const page = await api.fetch({ collection: 'contacts', fetchXml, pageNumber, pagingCookie, includeAnnotations: PAGING_COOKIE });
    const info = page.PagingInfo || null;
    pages.push({ lastnames: page.value.map((row) => row.lastname), next_page: info && info.nextPage, cookie: Boolean(info && info.cookie) });
    if (!info || pages.length > CONTACTS) break;
    pageNumber = info.nextPage;
    pagingCookie = info.cookie;
  }
  const all = await api.fetchAll({ collection: 'contacts', fetchXml, includeAnnotations: PAGING_COOKIE });
  return { pages, all: all.value.map((row) => row.lastname) };
}

async function metadata(api) {
  const select = ['LogicalName', 'EntitySetName', 'PrimaryIdAttribute', 'PrimaryNameAttribute', 'CanChangeTrackingBeEnabled'];
  const byName = await api.retrieveEntity({ key: "LogicalName='account'", select });
  const byId = await api.retrieveEntity({ key: byName.MetadataId, select: ['LogicalName'] });
  return { account: byName, by_metadata_id: byId.LogicalName };
}

async function main() {
  const asked = JSON.parse(process.argv[2]);
  const api = new DynamicsWebApi({
    serverUrl: asked.server_url,
    dataApi: { version: '9.2' },
    onTokenRefresh: () => asked.token,
  });
  const { account, contacts } = await makeRows(api, asked.tag);
  const result = { account, contacts };
  result.collection_valued = await collectionValued(api, account, contacts);
  result.single_valued = await singleValued(api, account, contacts);
  result.fetch_xml = await fetchXmlPages(api, asked.tag);
  result.metadata = await metadata(api);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  const { message, status, code, name } = error;
  process.stderr.write(`${JSON.stringify({ failed: { name, message, status, code } })}\n`);
  process.exit(1);
});
