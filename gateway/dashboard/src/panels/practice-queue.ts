import { type ApiError } from '../api.js';
import { el, replaceChildren } from '../dom.js';
import { drawState, FreshMarks, panelFrame, type Panel, type PanelContext } from './panel.js';

interface QueuedPractice {
  id: string;
  protocolNumber: string | null;
  status: string;
  typeCode: string;
  submittedAt: string | null;
  updatedAt: string;
  type: { title: string } | null;
}

const PRACTICE_FIELDS = 'id protocolNumber status typeCode submittedAt updatedAt type { title }';
/**
 * The latest arrivals, one page (every practice read is in the audit log: the dashboard reads no
 * more than it may show); changes after that come live, and the latest activity is shown on top.
 */
const QUEUE = `query DashboardQueue($office: String!) {
  practiceQueue(office: $office, first: 100, order: NEWEST_FIRST) {
    nodes { ${PRACTICE_FIELDS} }
  }
  practiceCounts(office: $office) { status count }
}`;
const SHOWN = 50;
const COUNTS = `query DashboardCounts($office: String!) { practiceCounts(office: $office) { status count } }`;
const CHANGED = `subscription DashboardPracticeChanged($office: String!) {
  practiceChanged(office: $office) { eventId to practice { ${PRACTICE_FIELDS} } }
}`;

/** The practices of one of the staff member's offices, newest activity first, with counts per status. */
export function practiceQueuePanel(ctx: PanelContext, offices: string[]): Panel {
  const { section, heading, body } = panelFrame('queue');
  let office = offices[0] ?? '';
  const practices = new Map<string, QueuedPractice>();
  let counts: { status: string; count: number }[] = [];
  let state: { loading: boolean; error?: ApiError } = { loading: true };
  let unsubscribe: (() => void) | undefined;
  const fresh = new FreshMarks(() => render());

  async function refresh(): Promise<void> {
    try {
      const data = await ctx.api.query<{
        practiceQueue: { nodes: QueuedPractice[] };
        practiceCounts: typeof counts;
      }>(QUEUE, { office });
      const loaded = new Map(data.practiceQueue.nodes.map((practice) => [practice.id, practice]));
      counts = data.practiceCounts;
      // A change heard while the page was read may be newer than what it says.
      for (const [id, practice] of practices) {
        const read = loaded.get(id);
        if (!read || read.updatedAt < practice.updatedAt) loaded.set(id, practice);
      }
      practices.clear();
      for (const [id, practice] of loaded) practices.set(id, practice);
      state = { loading: false };
    } catch (error) {
      state = { loading: false, error: error as ApiError };
    }
    render();
  }

  async function refreshCounts(): Promise<void> {
    try {
      counts = (await ctx.api.query<{ practiceCounts: typeof counts }>(COUNTS, { office })).practiceCounts;
      render();
    } catch {
      // The next event or reconnection brings them again; the list itself is already right.
    }
  }

  function start(): void {
    unsubscribe = ctx.api.subscribe<{ practiceChanged: { practice: QueuedPractice | null } }>(
      CHANGED,
      { office },
      ({ practiceChanged: { practice } }) => {
        if (practice === null) return;
        const known = practices.has(practice.id);
        practices.set(practice.id, practice);
        fresh.mark(practice.id);
        const t = ctx.t();
        ctx.announce(
          `${known ? t.practiceUpdated : t.newPractice}: ${practice.type?.title ?? practice.typeCode}, ${t.practiceStatus[practice.status] ?? practice.status}`,
        );
        render();
        void refreshCounts();
      },
      (error) => {
        state = { ...state, error };
        render();
      },
    );
  }

  function stop(): void {
    unsubscribe?.();
    unsubscribe = undefined;
  }

  function render(): void {
    const t = ctx.t();
    const f = ctx.f();
    heading.textContent = t.queue;
    const officeChooser =
      offices.length > 1
        ? el(
            'label',
            { class: 'inline' },
            `${t.office} `,
            el(
              'select',
              {
                id: 'queue-office',
                onchange: (event: Event) => {
                  office = (event.target as HTMLSelectElement).value;
                  stop();
                  state = { loading: true };
                  start();
                  void refresh();
                },
              },
              offices.map((name) => el('option', { value: name, selected: name === office }, name)),
            ),
          )
        : el('p', { class: 'muted' }, `${t.office}: ${office}`);
    const rows = [...practices.values()]
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .slice(0, SHOWN);
    const countList = el(
      'ul',
      { class: 'counts', 'aria-label': t.counts },
      counts
        .filter((entry) => entry.count > 0)
        .map((entry) =>
          el(
            'li',
            { 'data-status': entry.status },
            el('span', { class: 'count' }, entry.count),
            ' ',
            t.practiceStatus[entry.status] ?? entry.status,
          ),
        ),
    );
    const content = el('div', {});
    drawState(content, t, state, rows.length === 0, t.noPractices, () => [
      el(
        'table',
        { id: 'queue-table' },
        el('caption', { class: 'visually-hidden' }, t.queue),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            [t.protocol, t.type, t.status, t.submittedAt, t.updatedAt].map((label) =>
              el('th', { scope: 'col' }, label),
            ),
          ),
        ),
        el(
          'tbody',
          {},
          rows.map((practice) =>
            el(
              'tr',
              {
                'data-practice-id': practice.id,
                class: fresh.has(practice.id) ? 'fresh' : undefined,
              },
              el('td', {}, practice.protocolNumber ?? '—'),
              el('td', {}, practice.type?.title ?? practice.typeCode),
              el(
                'td',
                {},
                el(
                  'span',
                  { class: 'status', 'data-status': practice.status },
                  t.practiceStatus[practice.status] ?? practice.status,
                ),
                fresh.has(practice.id) ? el('span', { class: 'badge' }, t.newPractice) : null,
              ),
              el('td', {}, f.dateTime(practice.submittedAt)),
              el('td', {}, f.dateTime(practice.updatedAt)),
            ),
          ),
        ),
      ),
    ]);
    replaceChildren(body, officeChooser, countList, content);
  }

  render();
  return { section, refresh, start, stop, render };
}
