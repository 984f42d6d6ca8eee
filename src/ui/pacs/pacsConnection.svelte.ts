import { APP_DICOMWEB_PATH, PacsClient } from '../../core/pacs/pacsClient.ts';

/** The mark serve.mjs --dicomweb puts on every response (a Server-Timing entry). */
const PACS_MARK = 'lunglens-dicomweb';

/**
 * Whether this app was served with a PACS behind `/dicom-web` (serve.mjs --dicomweb), and the one
 * client that talks to it. Only the app's own origin is ever asked (CSP connect-src 'self').
 */
class PacsConnection {
  /** null until checked. */
  available = $state<boolean | null>(null);
  readonly client = new PacsClient({ url: `${location.origin}${APP_DICOMWEB_PATH}` });

  /**
   * Read from the page's own navigation response (its Server-Timing header): no request is made, so a
   * host without a PACS (a plain static server, the offline copy) sees nothing at all.
   */
  check(): boolean {
    if (this.available === null) {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      this.available = !!nav?.serverTiming?.some((t) => t.name === PACS_MARK);
    }
    return this.available;
  }
}

export const pacsConnection = new PacsConnection();
