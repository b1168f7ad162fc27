import type { Command } from 'commander';
import { parseLevel } from '../../domain/alert.js';
import { UsageError } from '../../domain/errors.js';
import { createApiServer } from '../../api/server.js';
import { configFor, dbLocation, monitorAlive, storeFor, type GlobalOptions } from '../context.js';
import { out } from '../output.js';

interface ServeOptions {
  host: string;
  port: string;
  webhookUrl?: string;
  webhookSecret?: string;
  webhookLevel: string;
  entity?: string;
  entityLei?: string;
  entityContact?: string;
}

/** `serve`: the HTTP API and the web dashboard over the alert store, until SIGINT/SIGTERM. */
export function registerServe(program: Command, g: () => GlobalOptions): void {
  program
    .command('serve')
    .description('serve the HTTP API and the web dashboard (tokens: surveillance token create)')
    .option('--host <host>', 'address to bind (keep 127.0.0.1 unless behind a TLS proxy)', '127.0.0.1')
    .option('--port <port>', 'TCP port (0 picks a free one)', '8080')
    .option('--webhook-url <url>', 'POST new alerts at or above --webhook-level to this URL')
    .option('--webhook-secret <secret>', 'HMAC-SHA256 key for the signature header (default $SURVEILLANCE_WEBHOOK_SECRET)')
    .option('--webhook-level <level>', 'least level sent: critical|high|medium|low', 'high')
    .option('--entity <name>', 'reporting entity named on STOR reports')
    .option('--entity-lei <lei>', 'LEI of the reporting entity')
    .option('--entity-contact <text>', 'contact person on STOR reports')
    .action(async (o: ServeOptions) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, got '${o.port}'`);
      let webhook;
      if (o.webhookUrl) {
        let url: URL;
        try {
          url = new URL(o.webhookUrl);
        } catch {
          throw new UsageError(`--webhook-url is not a URL: '${o.webhookUrl}'`);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--webhook-url must be http(s)');
        const secret = o.webhookSecret ?? process.env['SURVEILLANCE_WEBHOOK_SECRET'];
        if (!secret) throw new UsageError('--webhook-url needs --webhook-secret (or $SURVEILLANCE_WEBHOOK_SECRET) to sign deliveries');
        const minLevel = parseLevel(o.webhookLevel);
        if (!minLevel) throw new UsageError(`--webhook-level must be critical, high, medium or low, got '${o.webhookLevel}'`);
        webhook = { url: url.toString(), secret, minLevel };
      }
      const { config, file } = configFor(g());
      const store = await storeFor(g());
      const location = dbLocation(g()).replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
      const api = createApiServer({
        store,
        config,
        configFile: file,
        storeLabel: location,
        isMonitorAlive: (m) => monitorAlive(m),
        entity: {
          name: o.entity ?? process.env['SURVEILLANCE_ENTITY'] ?? 'Reporting firm (set with serve --entity)',
          lei: o.entityLei,
          contact: o.entityContact,
        },
        ...(webhook ? { webhook } : {}),
      });
      let base: string;
      try {
        base = await api.listen(port, o.host);
      } catch (err) {
        await store.close();
        throw new UsageError(`cannot listen on ${o.host}:${port}: ${(err as Error).message}`, { cause: err });
      }
      out(`Serving the API and dashboard at ${base}/ (store ${location}); Ctrl-C stops.`);
      if (webhook) out(`Webhooks: alerts at ${webhook.minLevel} or above → ${webhook.url}`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await api.close();
      await store.close();
      out('Stopped.');
    });
}
