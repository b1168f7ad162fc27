import { existsSync } from 'node:fs';
import { ApiError } from './api-error.js';

/** Where Debian's chromium lives; PDF printing needs it. */
export const CHROMIUM_PATH = process.env['SURVEILLANCE_CHROMIUM'] ?? '/usr/bin/chromium';

/** The flags for a quiet headless Chromium that phones nowhere. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

interface Browserish {
  newPage(): Promise<{ setContent(html: string, o?: object): Promise<void>; pdf(o?: object): Promise<Buffer>; close(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * Prints HTML to PDF with headless Chromium (playwright-core drives it; it is loaded only when a
 * PDF is asked for). One browser is kept for the server's life and closed with it.
 */
export class PdfPrinter {
  private browser: Promise<Browserish> | undefined;

  /** The PDF bytes of `html` (A4, with backgrounds). 503 when Chromium is not installed. */
  async print(html: string): Promise<Buffer> {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new ApiError(
        503,
        'pdf_unavailable',
        `PDF printing needs Chromium at ${CHROMIUM_PATH} (apt install chromium, or set SURVEILLANCE_CHROMIUM)`,
      );
    }
    this.browser ??= import('playwright-core').then(
      ({ chromium }) => chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS }) as Promise<Browserish>,
    );
    let browser: Browserish;
    try {
      browser = await this.browser;
    } catch (err) {
      this.browser = undefined;
      throw err;
    }
    const page = await browser.newPage();
    try {
      // The report is self-contained: no network, so 'load' is enough.
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '12mm', right: '12mm' } });
    } finally {
      await page.close();
    }
  }

  /** Closes the browser if one was started. */
  async close(): Promise<void> {
    const b = this.browser;
    this.browser = undefined;
    if (b) await (await b).close().catch(() => undefined);
  }
}
