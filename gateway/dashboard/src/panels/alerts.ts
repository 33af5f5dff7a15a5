import { type ApiError } from '../api.js';
import { el, replaceChildren } from '../dom.js';
import { drawState, FreshMarks, panelFrame, type Panel, type PanelContext } from './panel.js';

interface ActiveAlert {
  id: string;
  headline: string;
  colour: string;
  status: string;
  critical: boolean;
  validUntil: string;
}

interface InForceOrdinance {
  id: string;
  reference: string | null;
  subject: string;
  publishedAt: string | null;
  inForce: boolean;
}

const ALERT_FIELDS = 'id headline colour status critical validUntil';
const ORDINANCE_FIELDS = 'id reference subject publishedAt inForce';
const LOAD = `query DashboardAlerts {
  activeAlerts(first: 100) { nodes { ${ALERT_FIELDS} } }
  ordinances(inForce: true, first: 100) { nodes { ${ORDINANCE_FIELDS} } }
}`;
const ALERT_CHANGED = `subscription DashboardAlertChanged { alertChanged { kind alert { ${ALERT_FIELDS} } } }`;
const ORDINANCE_PUBLISHED = `subscription DashboardOrdinancePublished { ordinancePublished { ${ORDINANCE_FIELDS} } }`;

/** Active alerts (by colour) and the ordinances in force, as civil protection issues them. */
export function alertsPanel(ctx: PanelContext): Panel {
  const { section, heading, body } = panelFrame('alerts');
  const alerts = new Map<string, ActiveAlert>();
  const ordinances = new Map<string, InForceOrdinance>();
  let state: { loading: boolean; error?: ApiError } = { loading: true };
  const unsubscribers: (() => void)[] = [];
  const fresh = new FreshMarks(() => render());

  async function refresh(): Promise<void> {
    try {
      const data = await ctx.api.query<{
        activeAlerts: { nodes: ActiveAlert[] };
        ordinances: { nodes: InForceOrdinance[] };
      }>(LOAD);
      alerts.clear();
      for (const alert of data.activeAlerts.nodes) alerts.set(alert.id, alert);
      ordinances.clear();
      for (const ordinance of data.ordinances.nodes) ordinances.set(ordinance.id, ordinance);
      state = { loading: false };
    } catch (error) {
      state = { loading: false, error: error as ApiError };
    }
    render();
  }

  const failed = (error: ApiError) => {
    state = { ...state, error };
    render();
  };

  function start(): void {
    unsubscribers.push(
      ctx.api.subscribe<{ alertChanged: { alert: ActiveAlert | null } }>(
        ALERT_CHANGED,
        {},
        ({ alertChanged: { alert } }) => {
          if (alert === null) return;
          if (alert.status === 'ACTIVE') alerts.set(alert.id, alert);
          else alerts.delete(alert.id);
          fresh.mark(alert.id);
          ctx.announce(`${ctx.t().newAlert}: ${alert.headline}`);
          render();
        },
        failed,
      ),
      ctx.api.subscribe<{ ordinancePublished: InForceOrdinance }>(
        ORDINANCE_PUBLISHED,
        {},
        ({ ordinancePublished: ordinance }) => {
          if (ordinance.inForce) ordinances.set(ordinance.id, ordinance);
          fresh.mark(ordinance.id);
          ctx.announce(`${ctx.t().newOrdinance}: ${ordinance.subject}`);
          render();
        },
        failed,
      ),
    );
  }

  function stop(): void {
    for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
  }

  function render(): void {
    const t = ctx.t();
    const f = ctx.f();
    heading.textContent = t.alerts;
    const alertList = el('div', {});
    drawState(alertList, t, state, alerts.size === 0, t.noAlerts, () => [
      el(
        'ul',
        { class: 'cards', id: 'alert-list' },
        [...alerts.values()].map((alert) =>
          el(
            'li',
            { class: `alert colour-${alert.colour.toLowerCase()}${fresh.has(alert.id) ? ' fresh' : ''}` },
            el('strong', {}, alert.headline),
            el('span', { class: 'tag' }, t.colour[alert.colour] ?? alert.colour),
            el('span', { class: 'muted' }, `${t.validUntil} ${f.dateTime(alert.validUntil)}`),
          ),
        ),
      ),
    ]);
    const ordinanceList = el('div', {});
    drawState(ordinanceList, t, { loading: state.loading }, ordinances.size === 0, t.noOrdinances, () => [
      el(
        'ul',
        { class: 'plain', id: 'ordinance-list' },
        [...ordinances.values()].map((ordinance) =>
          el(
            'li',
            { class: fresh.has(ordinance.id) ? 'fresh' : undefined },
            ordinance.reference ? el('strong', {}, `${ordinance.reference} `) : null,
            ordinance.subject,
          ),
        ),
      ),
    ]);
    replaceChildren(body, alertList, el('h3', {}, t.ordinances), ordinanceList);
  }

  render();
  return { section, refresh, start, stop, render };
}
