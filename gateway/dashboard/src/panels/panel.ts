import { type Api, type ApiError } from '../api.js';
import { el, replaceChildren } from '../dom.js';
import { type formats, type Messages } from '../i18n.js';
import { type Session } from '../auth.js';

/** What every panel is given by the page. */
export interface PanelContext {
  api: Api;
  session: Session;
  t(): Messages;
  f(): ReturnType<typeof formats>;
  /** Says something to screen-reader users through the page's polite live region. */
  announce(text: string): void;
}

/**
 * One view of the dashboard: it loads with queries, then follows the subscriptions; after a
 * reconnection the page calls `refresh` again, so whatever happened meanwhile shows up.
 */
export interface Panel {
  readonly section: HTMLElement;
  refresh(): Promise<void>;
  /** Opens the live subscriptions (once: the client re-subscribes by itself on reconnection). */
  start(): void;
  stop(): void;
  /** Draws again, e.g. in another language. */
  render(): void;
}

/** A titled region with a body the panel redraws. */
export function panelFrame(id: string): { section: HTMLElement; heading: HTMLElement; body: HTMLElement } {
  const heading = el('h2', { id: `${id}-title` });
  const body = el('div', { class: 'panel-body' });
  const section = el('section', { id, class: 'panel', 'aria-labelledby': `${id}-title` }, heading, body);
  return { section, heading, body };
}

/** Redraws `body` with a loading line, an error, an empty line or the content. */
export function drawState(
  body: HTMLElement,
  t: Messages,
  state: { loading: boolean; error?: ApiError | undefined },
  empty: boolean,
  emptyText: string,
  content: () => (Node | null)[],
): void {
  if (state.error) {
    replaceChildren(body, el('p', { class: 'error', role: 'alert' }, `${t.error}: ${state.error.message}`));
  } else if (state.loading && empty) {
    replaceChildren(body, el('p', { class: 'muted' }, t.loading));
  } else if (empty) {
    replaceChildren(body, el('p', { class: 'muted' }, emptyText));
  } else {
    replaceChildren(body, ...content());
  }
}

/** Keeps items marked as new for a while, so the eye finds what just arrived. */
export class FreshMarks {
  private readonly until = new Map<string, number>();
  constructor(private readonly onExpire: () => void) {}

  mark(id: string, ms = 8_000): void {
    this.until.set(id, Date.now() + ms);
    setTimeout(() => {
      if ((this.until.get(id) ?? 0) <= Date.now()) {
        this.until.delete(id);
        this.onExpire();
      }
    }, ms + 50);
  }

  has(id: string): boolean {
    return (this.until.get(id) ?? 0) > Date.now();
  }
}
