'use strict';
// Sends what a Node program asks of Xero's own hosts to the sandbox's, before anything is sent.
//
// The official SDK writes Xero's hosts into its code (identity.xero.com for the OpenID discovery and the token
// calls, api.xero.com for /connections and the APIs), with no setting to change them; the sandbox serves each host
// on a loopback port of its own (sandbox.json's "hosts"). Every HTTPS request the process makes goes through
// `https.request` (openid-client's, and axios's through follow-redirects), so rewriting the host and port there
// points the whole SDK at the sandbox; TLS is then checked against the sandbox's CA (NODE_EXTRA_CA_CERTS).

const https = require('https');

function redirectHosts(hostUrls) {
  const targets = new Map(Object.entries(hostUrls).map(([host, url]) => [host, new URL(url)]));
  const request = https.request;
  https.request = function redirectedRequest(...args) {
    return request.apply(this, retarget(args, targets));
  };
  https.get = function redirectedGet(...args) {
    const sent = https.request(...args);
    sent.end();
    return sent;
  };
}

function retarget(args, targets) {
  const [first, ...rest] = args;
  if (typeof first === 'string' || first instanceof URL) {
    const url = new URL(first);
    const target = targets.get(url.hostname);
    if (!target) return args;
    url.hostname = target.hostname;
    url.port = target.port;
    return [url.href, ...rest];
  }
  const name = first.hostname || String(first.host || '').split(':')[0];
  const target = targets.get(name);
  if (!target) return args;
  const options = { ...first, hostname: target.hostname, host: target.hostname, port: target.port };
  delete options.servername;
  return [options, ...rest];
}

module.exports = { redirectHosts };
