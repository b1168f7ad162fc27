import type { Command } from 'commander';
import { UsageError } from '../../domain/errors.js';
import { newToken } from '../../api/auth.js';
import { TOKEN_ROLES, type TokenRole } from '../../store/alert-store.js';
import { storeFor, type GlobalOptions } from '../context.js';
import { out, table } from '../output.js';

/** `token create|list|revoke`: API tokens (stored as sha-256 hashes; the secret is printed once). */
export function registerToken(program: Command, g: () => GlobalOptions): void {
  const token = program.command('token').description('manage API tokens (viewer reads, analyst acts, admin manages tokens)');
  token
    .command('create')
    .description('create a token and print it once')
    .requiredOption('--name <name>', 'who or what uses it (shown in the audit trail)')
    .requiredOption('--role <role>', 'viewer|analyst|admin')
    .option('--json', 'machine-readable output')
    .action(async (o: { name: string; role: string; json?: boolean }) => {
      if (!(TOKEN_ROLES as readonly string[]).includes(o.role))
        throw new UsageError(`--role must be ${TOKEN_ROLES.join(', ')}, got '${o.role}'`);
      if (!/^[A-Za-z0-9._@-]{1,64}$/.test(o.name))
        throw new UsageError(`--name may contain 1–64 letters, digits and . _ @ - only, got '${o.name}'`);
      const store = await storeFor(g());
      try {
        const { secret, record } = newToken(o.name, o.role as TokenRole);
        const t = await store.createToken(record);
        if (o.json) {
          out(JSON.stringify({ ...t, token: secret }, null, 2));
          return;
        }
        out(`Token for '${t.name}' (${t.role}), id ${t.id}:`);
        out(secret);
        out('It is shown only now; only its hash is stored. Use it as: Authorization: Bearer <token>');
      } finally {
        await store.close();
      }
    });
  token
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const store = await storeFor(g());
      try {
        const list = await store.listTokens();
        if (o.json) {
          out(JSON.stringify(list, null, 2));
          return;
        }
        if (list.length === 0) {
          out('No tokens. Create one with: surveillance token create --name NAME --role admin');
          return;
        }
        out(
          table(
            ['ID', 'NAME', 'ROLE', 'CREATED', 'REVOKED'],
            list.map((t) => [t.id, t.name, t.role, t.createdAt, t.revokedAt ?? '-']),
          ),
        );
      } finally {
        await store.close();
      }
    });
  token
    .command('revoke')
    .description('revoke a token by id or name')
    .argument('<id-or-name>', 'the token to revoke')
    .action(async (idOrName: string) => {
      const store = await storeFor(g());
      try {
        const t = await store.revokeToken(idOrName, new Date().toISOString());
        out(`Token '${t.name}' (${t.id}) revoked.`);
      } finally {
        await store.close();
      }
    });
}
