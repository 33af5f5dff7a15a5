import './style.css';
import { connectApi, type Api } from './api.js';
import {
  CALLBACK_PATH,
  completeSignIn,
  currentSession,
  type DashboardSettings,
  type Session,
  signIn,
  SignInError,
} from './auth.js';
import { el, replaceChildren } from './dom.js';
import { formats, type Language, messages, storedLanguage, storeLanguage } from './i18n.js';
import { alertsPanel } from './panels/alerts.js';
import { deliveriesPanel } from './panels/deliveries.js';
import { type Panel } from './panels/panel.js';
import { paymentsPanel } from './panels/payments.js';
import { practiceQueuePanel } from './panels/practice-queue.js';
import { type EndReason, SessionKeeper } from './session.js';

/** Offices whose work arrives as practices (the others have their own queues elsewhere). */
const PRACTICE_OFFICES = ['practices', 'suap'];

let language: Language = storedLanguage();
const t = () => messages(language);

const root = document.getElementById('app')!;
const liveRegion = document.getElementById('announcements')!;
let redraw: () => void = () => undefined;

function announce(text: string): void {
  // A fresh node per message: screen readers read additions, not replaced text.
  liveRegion.append(el('p', {}, text));
  while (liveRegion.childElementCount > 5) liveRegion.firstElementChild?.remove();
}

function languageButton(): HTMLButtonElement {
  return el(
    'button',
    {
      type: 'button',
      id: 'language',
      lang: language === 'it' ? 'en' : 'it',
      'aria-label': t().languageLabel,
      onclick: () => {
        language = language === 'it' ? 'en' : 'it';
        storeLanguage(language);
        document.documentElement.lang = language;
        redraw();
      },
    },
    t().language,
  );
}

function header(...extra: Node[]): HTMLElement {
  document.title = t().title;
  return el(
    'header',
    { class: 'top' },
    el('h1', {}, t().title),
    el('div', { class: 'tools' }, ...extra, languageButton()),
  );
}

function showSignIn(settings: DashboardSettings, problem?: string): void {
  redraw = () => showSignIn(settings, problem);
  replaceChildren(
    root,
    header(),
    el(
      'main',
      { id: 'main', class: 'sign-in', tabindex: -1 },
      problem ? el('p', { class: 'error', role: 'alert' }, problem) : null,
      el('p', {}, t().signInIntro),
      el(
        'button',
        { type: 'button', id: 'sign-in', class: 'primary', onclick: () => void signIn(settings) },
        t().signIn,
      ),
    ),
  );
}

function showDashboard(settings: DashboardSettings, session: Session): void {
  const connection = el('span', { id: 'connection', role: 'status', 'data-state': 'connecting' });
  const who = el('span', { class: 'who' });
  const panels: Panel[] = [];
  let connectionState: 'connecting' | 'connected' | 'reconnecting' = 'connecting';

  const endedMessage: Record<EndReason, () => string> = {
    expired: () => t().sessionExpired,
    idle: () => t().signedOutIdle,
    ended: () => t().sessionEnded,
  };
  const leave = (problem?: string) => {
    api.close();
    for (const panel of panels) panel.stop();
    showSignIn(settings, problem);
  };
  // Renews the token before it runs out while the clerk is there; says at once when it is over.
  const keeper = new SessionKeeper(settings, session, {
    onRenewed: () => api.reauthenticate(),
    onEnded: (reason) => leave(endedMessage[reason]()),
  });
  const api: Api = connectApi({
    token: () => keeper.token(),
    replace: (refused) => keeper.replace(refused),
    onConnected(reconnected) {
      connectionState = 'connected';
      drawConnection();
      // Whatever happened while the connection was down shows up now.
      if (reconnected) for (const panel of panels) void panel.refresh();
    },
    onDisconnected() {
      if (connectionState === 'connected') connectionState = 'reconnecting';
      drawConnection();
    },
    onTokenRefused: () => {
      keeper.signOut();
      leave(t().sessionEnded);
    },
  });
  const context = { api, session, t, f: () => formats(language), announce };
  const queueOffices = session.offices.filter((office) => PRACTICE_OFFICES.includes(office));
  if (queueOffices.length > 0) panels.push(practiceQueuePanel(context, queueOffices));
  panels.push(alertsPanel(context));
  if (session.offices.includes('tributi')) panels.push(paymentsPanel(context));
  panels.push(deliveriesPanel(context, session.offices.includes('admin')));

  function drawConnection(): void {
    connection.dataset['state'] = connectionState;
    connection.textContent = `${t().connection}: ${t()[connectionState]}`;
  }

  redraw = () => {
    drawConnection();
    who.textContent = `${t().signedInAs} ${session.username} (${session.offices.join(', ')})`;
    replaceChildren(
      root,
      header(
        who,
        connection,
        el(
          'button',
          {
            type: 'button',
            id: 'sign-out',
            onclick: () => {
              keeper.signOut();
              leave();
            },
          },
          t().signOut,
        ),
      ),
      el(
        'main',
        { id: 'main', class: 'grid', tabindex: -1 },
        panels.map((panel) => panel.section),
      ),
    );
    for (const panel of panels) panel.render();
  };
  redraw();
  // Queries first, then the live updates, so nothing arrives before the list it belongs to.
  for (const panel of panels) {
    void panel.refresh();
    panel.start();
  }
}

async function boot(): Promise<void> {
  document.documentElement.lang = language;
  const settings = (await (await fetch('/dashboard/config.json')).json()) as DashboardSettings;
  const url = new URL(location.href);
  if (url.pathname === CALLBACK_PATH) {
    replaceChildren(root, header(), el('main', { id: 'main' }, el('p', { role: 'status' }, t().signingIn)));
    try {
      const session = await completeSignIn(settings, url);
      history.replaceState(null, '', '/dashboard/');
      return showDashboard(settings, session);
    } catch (error) {
      history.replaceState(null, '', '/dashboard/');
      const reason = error instanceof SignInError ? error.message : String(error);
      return showSignIn(settings, `${t().signInFailed}: ${reason}`);
    }
  }
  const session = currentSession();
  if (session) showDashboard(settings, session);
  else showSignIn(settings);
}

void boot();
