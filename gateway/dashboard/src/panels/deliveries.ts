import { type ApiError } from '../api.js';
import { el, replaceChildren } from '../dom.js';
import { drawState, FreshMarks, panelFrame, type Panel, type PanelContext } from './panel.js';

interface ChannelStats {
  channel: string;
  planned: number;
  sent: number;
  failed: number;
  dead: number;
  uncertain: number;
}

interface EventStats {
  eventId: string;
  eventType: string;
  createdAt: string;
  channels: ChannelStats[];
}

interface DeadLetter {
  id: string;
  eventType: string;
  channel: string;
  status: string;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}

const STATS_FIELDS = 'eventId eventType createdAt channels { channel planned sent failed dead uncertain }';
const LOAD = `query DashboardDeliveries { recentDeliveryStats(first: 8) { nodes { ${STATS_FIELDS} } } }`;
const CHANGED = `subscription DashboardDeliveryStats { deliveryStatsChanged { ${STATS_FIELDS} } }`;
const DEAD_LETTERS = `query DashboardDeadLetters { deadLetters(first: 20) { nodes { id eventType channel status attempts lastError updatedAt } } }`;
const REPLAY = `mutation DashboardReplay($id: ID!) { replayDeadLetter(id: $id) { id status } }`;
/** While live delivery counts are not available, they are read again this often. */
const POLL_MS = 5_000;
const SHOWN = 8;

function total(channel: ChannelStats): number {
  return channel.planned + channel.sent + channel.failed + channel.dead + channel.uncertain;
}

/**
 * How the latest notifications went out, per channel (planned, sent, failed, given up), updating
 * while an alert fans out; for admins, the dead letters with a replay button.
 */
export function deliveriesPanel(ctx: PanelContext, admin: boolean): Panel {
  const { section, heading, body } = panelFrame('deliveries');
  let events: EventStats[] = [];
  let deadLetters: DeadLetter[] = [];
  let state: { loading: boolean; error?: ApiError } = { loading: true };
  let deadState: { loading: boolean; error?: ApiError } = { loading: admin };
  let unsubscribe: (() => void) | undefined;
  let poll: ReturnType<typeof setInterval> | undefined;
  const fresh = new FreshMarks(() => render());

  async function refresh(): Promise<void> {
    try {
      events = (await ctx.api.query<{ recentDeliveryStats: { nodes: EventStats[] } }>(LOAD))
        .recentDeliveryStats.nodes;
      state = { loading: false };
    } catch (error) {
      state = { loading: false, error: error as ApiError };
    }
    if (admin) await refreshDeadLetters();
    render();
  }

  async function refreshDeadLetters(): Promise<void> {
    try {
      deadLetters = (await ctx.api.query<{ deadLetters: { nodes: DeadLetter[] } }>(DEAD_LETTERS)).deadLetters
        .nodes;
      deadState = { loading: false };
    } catch (error) {
      deadState = { loading: false, error: error as ApiError };
    }
  }

  function start(): void {
    unsubscribe = ctx.api.subscribe<{ deliveryStatsChanged: EventStats }>(
      CHANGED,
      {},
      ({ deliveryStatsChanged: stats }) => {
        const before = events.find((event) => event.eventId === stats.eventId);
        events = [stats, ...events.filter((event) => event.eventId !== stats.eventId)]
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          .slice(0, SHOWN);
        fresh.mark(stats.eventId, 3_000);
        const dead = (s: EventStats | undefined) => s?.channels.reduce((sum, c) => sum + c.dead, 0) ?? 0;
        if (admin && dead(stats) > dead(before)) void refreshDeadLetters().then(render);
        render();
      },
      () => {
        // This gateway does not offer live delivery counts: read them again now and then instead.
        unsubscribe = undefined;
        poll ??= setInterval(() => void refresh(), POLL_MS);
      },
    );
  }

  function stop(): void {
    unsubscribe?.();
    unsubscribe = undefined;
    if (poll) clearInterval(poll);
    poll = undefined;
  }

  async function replay(letter: DeadLetter, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await ctx.api.query(REPLAY, { id: letter.id });
      ctx.announce(`${ctx.t().replayed}: ${letter.eventType}, ${letter.channel}`);
      await refreshDeadLetters();
    } catch (error) {
      deadState = { loading: false, error: error as ApiError };
    }
    render();
  }

  function render(): void {
    const t = ctx.t();
    const f = ctx.f();
    heading.textContent = t.deliveries;
    const statsView = el('div', {});
    drawState(statsView, t, state, events.length === 0, t.noDeliveries, () => [
      el(
        'table',
        { id: 'deliveries-table' },
        el('caption', { class: 'visually-hidden' }, t.deliveries),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            [t.event, t.channel, t.planned, t.sent, t.failed, t.dead].map((label) =>
              el('th', { scope: 'col' }, label),
            ),
          ),
        ),
        el(
          'tbody',
          {},
          events.flatMap((event) =>
            event.channels.map((channel, index) =>
              el(
                'tr',
                { class: fresh.has(event.eventId) ? 'fresh' : undefined },
                index === 0
                  ? el(
                      'th',
                      { scope: 'row', rowspan: event.channels.length },
                      event.eventType,
                      el('br', {}),
                      el('span', { class: 'muted' }, f.dateTime(event.createdAt)),
                    )
                  : null,
                el('td', {}, channel.channel),
                el('td', { class: 'number' }, channel.planned),
                el(
                  'td',
                  { class: 'number' },
                  // Out of every delivery of the event on this channel, whatever its state.
                  el('progress', {
                    max: Math.max(total(channel), 1),
                    value: channel.sent,
                    'aria-label': `${t.sent} ${channel.channel}: ${channel.sent} / ${total(channel)}`,
                  }),
                  ` ${channel.sent}`,
                ),
                el('td', { class: channel.failed > 0 ? 'number warn' : 'number' }, channel.failed),
                el('td', { class: channel.dead > 0 ? 'number bad' : 'number' }, channel.dead),
              ),
            ),
          ),
        ),
      ),
    ]);
    if (!admin) return replaceChildren(body, statsView);
    const deadView = el('div', {});
    drawState(deadView, t, deadState, deadLetters.length === 0, t.noDeadLetters, () => [
      el(
        'table',
        { id: 'dead-letters-table' },
        el('caption', { class: 'visually-hidden' }, t.deadLetters),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            [t.event, t.channel, t.status, t.attempts, t.lastError, t.updatedAt, ''].map((label) =>
              el('th', { scope: 'col' }, label),
            ),
          ),
        ),
        el(
          'tbody',
          {},
          deadLetters.map((letter) => {
            const button = el('button', { type: 'button', id: `replay-${letter.id}` }, t.replay);
            button.addEventListener('click', () => void replay(letter, button));
            return el(
              'tr',
              {},
              el('td', {}, letter.eventType),
              el('td', {}, letter.channel),
              el('td', {}, letter.status),
              el('td', { class: 'number' }, letter.attempts),
              el('td', {}, letter.lastError ?? '—'),
              el('td', {}, f.dateTime(letter.updatedAt)),
              el('td', {}, button),
            );
          }),
        ),
      ),
    ]);
    replaceChildren(body, statsView, el('h3', {}, t.deadLetters), deadView);
  }

  render();
  return { section, refresh, start, stop, render };
}
