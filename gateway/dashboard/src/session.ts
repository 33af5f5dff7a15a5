import {
  type DashboardSettings,
  endSession,
  renewSession,
  type Session,
  SessionEndedError,
  signOut,
} from './auth.js';

/** Why a session ended: its token ran out unrenewed, the clerk was idle, or identity refused it. */
export type EndReason = 'expired' | 'idle' | 'ended';

export interface SessionKeeperOptions {
  /** A new access token: the live connection must authenticate again with it. */
  onRenewed(session: Session): void;
  /** The session is over; the page must show it now. Called once. */
  onEnded(reason: EndReason): void;
}

/** Default idle limit when the gateway does not say: 30 minutes. */
export const DEFAULT_IDLE_SECONDS = 1800;
/** What counts as the clerk being there. */
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;
/** Between two attempts to reach identity when it did not answer. */
const RETRY_MS = 2_000;

/**
 * Keeps a clerk signed in while they use the dashboard: renews the access token with the rotating
 * refresh token before it runs out (a quarter of its lifetime before, at most a minute), signs the
 * clerk out after the idle limit without input, and says at once when the session is over (identity
 * refused the refresh token, or the token ran out and identity could not be reached).
 */
export class SessionKeeper {
  private renewal: Promise<Session> | undefined;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private lastActivity = Date.now();
  private ended = false;
  private readonly idleMs: number;
  private readonly activity = () => {
    this.lastActivity = Date.now();
  };
  private readonly wake = () => {
    // Timers of a hidden tab run late: look again when the clerk comes back.
    if (document.visibilityState !== 'visible') return;
    this.checkIdle();
    if (!this.ended && this.session.expiresAt <= Date.now()) void this.renew().catch(() => undefined);
  };

  constructor(
    private readonly settings: DashboardSettings,
    private session: Session,
    private readonly options: SessionKeeperOptions,
  ) {
    this.idleMs = (settings.idleSeconds ?? DEFAULT_IDLE_SECONDS) * 1000;
    for (const event of ACTIVITY_EVENTS) document.addEventListener(event, this.activity, { passive: true });
    document.addEventListener('visibilitychange', this.wake);
    this.scheduleRenewal();
    this.idleTimer = setTimeout(() => this.checkIdle(), this.idleMs);
  }

  get current(): Session {
    return this.session;
  }

  /** A valid access token: the current one, or a renewed one when it has run out. */
  async token(): Promise<string> {
    if (this.session.expiresAt <= Date.now()) return (await this.renew()).accessToken;
    return this.session.accessToken;
  }

  /**
   * A token to use instead of `refused` (which the gateway refused): a newer one if there is one
   * already, else a renewed one.
   * @throws {SessionEndedError} when the session is over.
   */
  async replace(refused: string): Promise<string> {
    if (this.session.accessToken !== refused && this.session.expiresAt > Date.now()) {
      return this.session.accessToken;
    }
    return (await this.renew()).accessToken;
  }

  /** Renews the access token (one renewal at a time, whoever asks). */
  renew(): Promise<Session> {
    if (this.ended) return Promise.reject(new SessionEndedError('the session is over'));
    this.renewal ??= this.attemptRenewal().finally(() => {
      this.renewal = undefined;
    });
    return this.renewal;
  }

  /** The clerk signs out: identity forgets the refresh token too. */
  signOut(): void {
    if (this.ended) return;
    this.stop();
    endSession(this.settings, this.session);
  }

  private async attemptRenewal(): Promise<Session> {
    for (;;) {
      if (this.ended) throw new SessionEndedError('the session is over');
      try {
        const renewed = await renewSession(this.settings, this.session);
        if (this.ended) throw new SessionEndedError('the session is over');
        this.session = renewed;
        this.scheduleRenewal();
        this.options.onRenewed(renewed);
        return renewed;
      } catch (error) {
        if (error instanceof SessionEndedError) {
          this.end('ended');
          throw error;
        }
        // Identity unreachable: try again while the access token lasts, then the session is over.
        if (this.session.expiresAt <= Date.now()) {
          this.end('expired');
          throw new SessionEndedError('the access token expired and could not be renewed');
        }
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(RETRY_MS, this.session.expiresAt - Date.now())),
        );
      }
    }
  }

  private scheduleRenewal(): void {
    clearTimeout(this.renewTimer);
    const lifetime = this.session.expiresAt - this.session.issuedAt;
    const renewAt = this.session.expiresAt - Math.min(60_000, lifetime / 4);
    this.renewTimer = setTimeout(
      () => void this.renew().catch(() => undefined),
      Math.max(0, renewAt - Date.now()),
    );
  }

  private checkIdle(): void {
    if (this.ended) return;
    clearTimeout(this.idleTimer);
    const left = this.lastActivity + this.idleMs - Date.now();
    if (left <= 0) return this.end('idle');
    this.idleTimer = setTimeout(() => this.checkIdle(), left);
  }

  private end(reason: EndReason): void {
    if (this.ended) return;
    this.stop();
    // An idle clerk's sign-in ends at identity too; a refused one is over there already.
    if (reason === 'idle') endSession(this.settings, this.session);
    else signOut();
    this.options.onEnded(reason);
  }

  private stop(): void {
    this.ended = true;
    clearTimeout(this.renewTimer);
    clearTimeout(this.idleTimer);
    for (const event of ACTIVITY_EVENTS) document.removeEventListener(event, this.activity);
    document.removeEventListener('visibilitychange', this.wake);
  }
}
