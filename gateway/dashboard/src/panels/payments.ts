import { type ApiError } from '../api.js';
import { el } from '../dom.js';
import { drawState, FreshMarks, panelFrame, type Panel, type PanelContext } from './panel.js';

interface Receipt {
  receiptId: string;
  noticeNumber: string;
  amountCents: number;
  paidAt: string;
}

const FIELDS = 'receiptId noticeNumber amountCents paidAt';
const LOAD = `query DashboardPayments($after: String) {
  paymentsReceived(first: 100, after: $after) { nodes { ${FIELDS} } pageInfo { hasNextPage endCursor } }
}`;

interface ReceiptPage {
  paymentsReceived: { nodes: Receipt[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}
const RECEIVED = `subscription DashboardPaymentReceived { paymentReceived { ${FIELDS} } }`;

/** Italian calendar day of an instant, as `paymentsReceived` counts days. */
function romeDay(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date(iso));
}

/** Today's payments (tributi), newest first, with the day's total. */
export function paymentsPanel(ctx: PanelContext): Panel {
  const { section, heading, body } = panelFrame('payments');
  const receipts = new Map<string, Receipt>();
  let state: { loading: boolean; error?: ApiError } = { loading: true };
  let unsubscribe: (() => void) | undefined;
  const fresh = new FreshMarks(() => render());

  async function refresh(): Promise<void> {
    try {
      // Every page of the day: the total counts them all.
      const day: Receipt[] = [];
      let after: string | null = null;
      for (;;) {
        const { paymentsReceived: page }: ReceiptPage = await ctx.api.query<ReceiptPage>(LOAD, { after });
        day.push(...page.nodes);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      receipts.clear();
      for (const receipt of day) receipts.set(receipt.receiptId, receipt);
      state = { loading: false };
    } catch (error) {
      state = { loading: false, error: error as ApiError };
    }
    render();
  }

  function start(): void {
    unsubscribe = ctx.api.subscribe<{ paymentReceived: Receipt }>(
      RECEIVED,
      {},
      ({ paymentReceived: receipt }) => {
        // A page left open past midnight keeps showing only the day's payments.
        if (romeDay(receipt.paidAt) !== romeDay(new Date().toISOString())) return;
        receipts.set(receipt.receiptId, receipt);
        fresh.mark(receipt.receiptId);
        ctx.announce(`${ctx.t().newPayment}: ${ctx.f().cents(receipt.amountCents)}`);
        render();
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
    heading.textContent = t.payments;
    const rows = [...receipts.values()].sort((a, b) => b.paidAt.localeCompare(a.paidAt));
    const total = rows.reduce((sum, receipt) => sum + receipt.amountCents, 0);
    drawState(body, t, state, rows.length === 0, t.noPayments, () => [
      el(
        'p',
        { class: 'total' },
        `${t.paymentsTotal}: `,
        el('strong', {}, f.cents(total)),
        ` (${rows.length})`,
      ),
      el(
        'table',
        { id: 'payments-table' },
        el('caption', { class: 'visually-hidden' }, t.payments),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            [t.paidAt, t.notice, t.amount].map((label) => el('th', { scope: 'col' }, label)),
          ),
        ),
        el(
          'tbody',
          {},
          rows.map((receipt) =>
            el(
              'tr',
              { class: fresh.has(receipt.receiptId) ? 'fresh' : undefined },
              el('td', {}, f.time(receipt.paidAt)),
              el('td', { class: 'mono' }, receipt.noticeNumber.replace(/(\d{4})(?=\d)/g, '$1 ')),
              el('td', { class: 'number' }, f.cents(receipt.amountCents)),
            ),
          ),
        ),
      ),
    ]);
  }

  render();
  return { section, refresh, start, stop, render };
}
