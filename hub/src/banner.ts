import { SERVICES, type HubConfig } from './config.js';
import type { MailCatcher } from './mail-catcher.js';
import type { Topology } from './topology.js';

/** What the person who started the hub reads once it is up: where everything is, on the public origin. */
export function upBanner(
  config: HubConfig,
  hub: { url: string; topology: Topology; mailbox: MailCatcher | null },
  extra: string[] = [],
): string {
  const { topology } = hub;
  const listening = hub.url.replace(/\/graphql$/, '');
  const base = topology.publicUrl ?? listening;
  const demo = config.mode === 'demo';
  const lines = [
    'Sportello is up.',
    `  mode               ${config.mode} (${topology.mode})`,
    `  GraphQL API        ${base}/graphql   (graphql-ws on the same path)`,
    ...(base === listening ? [] : [`  listening on       ${listening}`]),
    `  health             ${base}/health`,
    `  staff dashboard    ${base}/dashboard/${
      !demo
        ? ''
        : topology.demoUpstream
          ? '   (demo SPID/CIE page: type a staff username, e.g. admin)'
          : '   (development login: pick a staff member)'
    }`,
    `  identity (OIDC)    ${base}/.well-known/openid-configuration`,
    ...(topology.demoUpstream
      ? [`  demo SPID/CIE      ${topology.demoUpstream.issuer}   (sign in with a fiscal code, no password)`]
      : []),
    ...(demo ? [`  demo tokens        POST ${base}/auth/dev/token  {"kind": "citizen"}`] : []),
    hub.mailbox
      ? `  mailbox            ${hub.mailbox.folder}  (SMTP on 127.0.0.1:${hub.mailbox.port})`
      : `  email              SMTP ${topology.smtp?.host}:${topology.smtp?.port}`,
    `  services           ${SERVICES.map((name) => `${name} ${topology.baseUrl(name).replace('http://', '')}`).join(', ')}`,
    '                     (private: they answer the gateway only)',
    ...extra,
    'Press Ctrl+C to stop.',
  ];
  return `\n${lines.join('\n')}`;
}
