import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generatePopulation, type DemoPerson } from '@sportello/hub';
import type { FakeIo, FakeTelegram, SmtpSink } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChannelPeers, type ChannelPeers } from './support/channel-peers.js';
import { devToken, graphql } from './support/graphql-client.js';
import { draftBulkyWasteCollection } from './support/practice-drafts.js';
import { startHub, type RunningHub } from './support/running-hub.js';

const HOUSEHOLDS = 60;
const BOT_TOKEN = '424242:links-test-token';
const IO_KEY = 'links-io-key';

/**
 * The deployment's public origin: a reverse proxy in front of the gateway, as operators run one.
 * Everything a person or an app is given must start with its address and answer through it.
 */
async function startProxy(): Promise<{ url: string; target(url: string): void; close(): Promise<void> }> {
  let target: URL | undefined;
  const server: Server = createServer((req, res) => {
    if (target === undefined) return void res.writeHead(503).end();
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    target: (url) => {
      target = new URL(url);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Every http(s) URL in a text, as a reader would click it. */
const urlsIn = (text: string): string[] =>
  [...text.matchAll(/https?:\/\/[^\s<>"'()\]\\]+/g)].map((match) => match[0].replace(/[.,;:]+$/, ''));

describe('every link on the public origin', () => {
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let hub: RunningHub;
  let peers: ChannelPeers;
  let sink: SmtpSink;
  let telegram: FakeTelegram;
  let io: FakeIo;
  let people: DemoPerson[];

  beforeAll(async () => {
    ({ people } = generatePopulation({ households: HOUSEHOLDS, istat: '999001' }));
    [proxy, peers] = await Promise.all([
      startProxy(),
      startChannelPeers(people, {
        botToken: BOT_TOKEN,
        ioKey: IO_KEY,
        webhookSecret: 'links-webhook-secret',
        ioAllowsSender: () => true,
      }),
    ]);
    ({ sink, telegram, io } = peers);
    hub = await startHub('embedded', {
      households: HOUSEHOLDS,
      env: { PUBLIC_URL: proxy.url, ...peers.env },
    });
    proxy.target(/listening on\s+(\S+)/.exec(hub.process.output())![1]!);
  }, 330_000);

  afterAll(async () => {
    await hub?.stop();
    await Promise.all([proxy?.close(), peers?.close()]);
  }, 90_000);

  it('announces the public origin, and identity publishes its endpoints there', async () => {
    expect(hub.api).toBe(`${proxy.url}/graphql`);
    const discovery = (await (await fetch(`${proxy.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    for (const key of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri']) {
      expect(String(discovery[key]), key).toMatch(new RegExp(`^${proxy.url}`));
    }
    expect((await fetch(String(discovery['jwks_uri']))).status).toBe(200);
  });

  it('puts only public-origin links in emails, App IO and Telegram messages, and each one answers', async () => {
    // A citizen with every channel submits a practice: its registration reaches them everywhere.
    const citizen = people.find((person) => person.email !== undefined && person.telegram && person.io)!;
    const token = (await devToken(hub.identity, { subject: citizen.fiscalCode })).access_token;
    const draft = await draftBulkyWasteCollection(hub.api, token, citizen.address, 'Materasso');
    expect(draft.errors).toBeUndefined();
    const id = draft.data!.createPracticeDraft.id;
    expect(
      (await graphql(hub.api, `mutation { submitPractice(id: "${id}") { status } }`, { token })).errors,
    ).toBeUndefined();

    const mailTo = citizen.email!;
    await expect
      .poll(() => sink.mails.filter((mail) => mail.envelope.to.includes(mailTo)).length, { timeout: 30_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => io.messages.some((message) => message.fiscalCode === citizen.fiscalCode), {
        timeout: 30_000,
      })
      .toBe(true);
    await expect.poll(() => telegram.sent.length, { timeout: 30_000 }).toBeGreaterThan(0);

    const links = new Set<string>();
    for (const mail of sink.mails) {
      for (const url of urlsIn(
        `${mail.parsed.text ?? ''}\n${typeof mail.parsed.html === 'string' ? mail.parsed.html : ''}`,
      ))
        links.add(url);
      const header = mail.parsed.headerLines.find((line) => line.key === 'list-unsubscribe')?.line;
      if (header) for (const url of urlsIn(header)) links.add(url);
    }
    for (const message of io.messages)
      for (const url of urlsIn(JSON.stringify(message.body).replace(/\\n/g, ' '))) links.add(url);
    for (const message of telegram.sent) for (const url of urlsIn(message.text)) links.add(url);

    expect(links.size).toBeGreaterThan(2);
    for (const link of links) {
      expect(link.startsWith(`${proxy.url}/`), link).toBe(true);
      const answer = await fetch(link, { redirect: 'manual' });
      expect([200, 303], `${link} answered ${answer.status}`).toContain(answer.status);
    }
    expect([...links].some((link) => link.includes('/unsubscribe?t='))).toBe(true);
    expect([...links].some((link) => link.includes('/portale/'))).toBe(true);
  });

  it('gives certificate and feed links on the public origin, and they answer through it', async () => {
    const citizen = await devToken(hub.identity, { kind: 'citizen' });
    const issued = await graphql<{
      requestCertificate: { certificate: { downloadUrl: string; verificationUrl: string } };
    }>(
      hub.api,
      'mutation { requestCertificate(input: { kinds: [RESIDENCE], use: "uso privato", exemption: PENSION }) { certificate { downloadUrl verificationUrl } } }',
      { token: citizen.access_token },
    );
    expect(issued.errors).toBeUndefined();
    const { downloadUrl, verificationUrl } = issued.data!.requestCertificate.certificate;
    expect(downloadUrl.startsWith(`${proxy.url}/certificates/`)).toBe(true);
    expect(verificationUrl.startsWith(`${proxy.url}/certificates/verify`)).toBe(true);
    const pdf = await fetch(downloadUrl, { headers: { authorization: `Bearer ${citizen.access_token}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toContain('application/pdf');
    expect((await fetch(verificationUrl)).status).toBe(200);

    const atom = await fetch(`${proxy.url}/feeds/alerts.atom`);
    expect(atom.status).toBe(200);
    const feedLinks = urlsIn(await atom.text()).filter((url) => !url.startsWith('http://www.w3.org'));
    for (const link of feedLinks.filter((url) => !/xmlns|schemas|oasis-open|geojson\.org/.test(url))) {
      expect(link.startsWith(`${proxy.url}/`), link).toBe(true);
    }
  });
});
