import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { maskPersonalData, maskPersonalText } from './personal-data.js';

const FISCAL_CODE = 'RSSMRA80A01H501U';
const OMOCODIC = 'RSSMRA80B01F2LRC';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger({ name: 'anagrafe', level: 'debug', destination });
  const text = () => lines.join('\n');
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { log, text, records };
}

describe('createLogger', () => {
  it('writes structured JSON lines with name, level and message', () => {
    const { log, records } = capture();
    log.info({ practiceId: 'p-1' }, 'practice submitted');
    expect(records()).toEqual([
      expect.objectContaining({ name: 'anagrafe', level: 30, msg: 'practice submitted', practiceId: 'p-1' }),
    ]);
  });

  it('respects the level', () => {
    const lines: string[] = [];
    const log = createLogger({
      name: 'x',
      level: 'warn',
      destination: { write: (line: string) => void lines.push(line) },
    });
    log.info('hidden');
    log.warn('shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('shown');
  });

  it('never writes a fiscal code, wherever it appears', () => {
    const { log, text } = capture();
    log.info(`certificate issued for ${FISCAL_CODE}`);
    log.info('lookup %s by %s', OMOCODIC, FISCAL_CODE.toLowerCase());
    log.info(
      { request: { path: `/residents/${FISCAL_CODE}`, nested: [{ deeper: { note: `cf:${OMOCODIC}` } }] } },
      'ok',
    );
    log.error(new Error(`no resident ${FISCAL_CODE}`, { cause: new Error(`upstream said ${OMOCODIC}`) }));
    log.error({ err: Object.assign(new Error('failed'), { detail: `owner ${FISCAL_CODE}` }) }, 'wrapped');
    log.child({ subject: FISCAL_CODE }).warn('child binding');
    const grandchild = log
      .child({ requestId: 'r-1' })
      .child({ owner: { fiscalCode: FISCAL_CODE, note: OMOCODIC } });
    grandchild.setBindings({ later: FISCAL_CODE });
    grandchild.info('grandchild');

    const output = text();
    expect(output).not.toMatch(new RegExp(FISCAL_CODE, 'i'));
    expect(output).not.toContain(OMOCODIC);
    expect(output).toContain('RSS***********1U');
    expect(output).toContain('no resident RSS***********1U');
    expect(output.split('\n')).toHaveLength(7);
    expect(output).toContain('"requestId":"r-1"');
  });

  it('redacts credentials and personal fields by name at any depth', () => {
    const { log, records, text } = capture();
    log.info(
      {
        req: { headers: { authorization: 'Bearer abc.def.ghi', 'x-request-id': 'r-1', cookie: 'sid=1' } },
        citizen: {
          fiscalCode: 'not-a-code-but-still-hidden',
          email: 'mario.rossi@example.it',
          firstName: 'Mario',
        },
        delivery: { contactEmail: 'x@y.it', telegram: { access_token: 'tok' }, attempts: 2 },
      },
      'request',
    );
    const [record] = records();
    expect(record).toMatchObject({
      req: { headers: { authorization: '[REDACTED]', 'x-request-id': 'r-1', cookie: '[REDACTED]' } },
      citizen: { fiscalCode: '[REDACTED]', email: '[REDACTED]', firstName: '[REDACTED]' },
      delivery: { contactEmail: '[REDACTED]', telegram: { access_token: '[REDACTED]' }, attempts: 2 },
    });
    expect(text()).not.toContain('mario.rossi');
    expect(text()).not.toContain('abc.def.ghi');
  });

  it('keeps errors readable: type, masked message, stack and cause', () => {
    const { log, records } = capture();
    log.error(new TypeError(`bad ${FISCAL_CODE}`, { cause: new Error(`inner ${FISCAL_CODE}`) }));
    const [record] = records();
    expect(record).toMatchObject({
      msg: 'bad RSS***********1U',
      err: {
        type: 'TypeError',
        message: 'bad RSS***********1U',
        cause: { type: 'Error', message: 'inner RSS***********1U' },
      },
    });
    expect((record?.err as { stack: string }).stack).toContain('TypeError: bad RSS***********1U');
  });
});

describe('maskPersonalText', () => {
  it('masks fiscal codes, e-mails and tokens in free text', () => {
    expect(maskPersonalText(`to mario.rossi@comune.roma.it about ${FISCAL_CODE}`)).toBe(
      'to m***@comune.roma.it about RSS***********1U',
    );
    expect(maskPersonalText('Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.sig')).toBe(
      'Authorization: Bearer [REDACTED]',
    );
    expect(maskPersonalText('token eyJhbGciOi.eyJzdWIiOi.sig here')).toBe('token [JWT] here');
    expect(maskPersonalText('nothing personal in 302032002700000251')).toBe(
      'nothing personal in 302032002700000251',
    );
  });

  it('handles cycles without throwing', () => {
    const node: Record<string, unknown> = { cf: FISCAL_CODE };
    node.self = node;
    expect(maskPersonalData(node)).toEqual({ cf: 'RSS***********1U', self: '[Circular]' });
  });
});
