/**
 * `berth registry …`: serve, and gc (offline garbage collection).
 *   serve --root DIR --addr HOST:PORT [--config FILE] [--tls-cert F --tls-key F]
 *         [--htpasswd FILE] [--auth none|basic|token] [--token-key PEM]
 *         [--proxy URL] [--log-level L] [--no-access-log]
 *   gc    --root DIR [--config FILE] [--dry-run]
 * Flags override the config file.
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../lib/errors.ts';
import { createLogger, isLogLevel } from '../lib/log.ts';
import { defaultConfig, loadConfigFile, type RegistryConfig } from './config.ts';
import { collectGarbage } from './gc.ts';
import { Registry } from './registry.ts';
import { startRegistry } from './server.ts';
import { FsDriver } from './storage/fs-driver.ts';

const USAGE = `Usage: berth registry serve --root DIR --addr HOST:PORT [--config FILE] [options]
       berth registry gc --root DIR [--dry-run]

serve options:
  --config FILE        YAML or JSON config (see src/registry/config.ts)
  --root DIR           filesystem storage root
  --addr HOST:PORT     listen address (default 127.0.0.1:5000)
  --tls-cert FILE      serve HTTPS with this certificate (PEM)
  --tls-key FILE       and this key
  --htpasswd FILE      basic auth against this bcrypt htpasswd file
  --auth MODE          none | basic | token (token: built-in issuer at /auth/token)
  --token-key FILE     PEM private key (EC P-256 or RSA) that signs tokens
  --proxy URL          pull-through cache of this upstream registry
  --log-level LEVEL    debug | info | warn | error
  --no-access-log      do not log every request
`;

async function configFrom(values: Record<string, string | boolean | undefined>): Promise<RegistryConfig> {
  const c: RegistryConfig = typeof values.config === 'string' ? await loadConfigFile(values.config) : defaultConfig();
  if (typeof values.root === 'string') c.storage = { driver: 'filesystem', root: values.root };
  if (typeof values.addr === 'string') c.http.addr = values.addr;
  if (typeof values['tls-cert'] === 'string' && typeof values['tls-key'] === 'string') {
    c.http.tls = { certificate: values['tls-cert'], key: values['tls-key'] };
  }
  if (typeof values.htpasswd === 'string') c.auth = { ...c.auth, htpasswd: { path: values.htpasswd } };
  if (values.auth === 'none') c.auth = undefined;
  if (values.auth === 'token' || typeof values['token-key'] === 'string') {
    c.auth = {
      ...c.auth,
      token: {
        ...c.auth?.token,
        ...(typeof values['token-key'] === 'string' ? { privateKey: values['token-key'] } : {}),
      },
    };
  }
  if (typeof values.proxy === 'string') c.proxy = { remoteurl: values.proxy };
  if (typeof values['log-level'] === 'string' && isLogLevel(values['log-level']))
    c.log = { ...c.log, level: values['log-level'] };
  if (values['no-access-log']) c.log = { ...c.log, accessLog: false };
  return c;
}

export async function registryMain(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd ? 0 : 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: {
        config: { type: 'string' },
        root: { type: 'string' },
        addr: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        htpasswd: { type: 'string' },
        auth: { type: 'string' },
        'token-key': { type: 'string' },
        proxy: { type: 'string' },
        'log-level': { type: 'string' },
        'no-access-log': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`berth registry: ${errorMessage(e)}\n${USAGE}`);
    return 2;
  }
  try {
    const config = await configFrom(values);
    const log = createLogger(config.log?.level ?? 'info', { component: 'registry' });
    if (cmd === 'serve') {
      const r = await startRegistry(config, { log });
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await r.close();
      return 0;
    }
    if (cmd === 'gc' || cmd === 'garbage-collect') {
      if (!config.storage.root) throw new Error('gc needs --root or a config with storage.root');
      const reg = new Registry(new FsDriver(config.storage.root));
      const res = await collectGarbage(reg, { dryRun: values['dry-run'] === true, log });
      process.stdout.write(`${JSON.stringify({ ...res, deleted: res.deleted })}\n`);
      return 0;
    }
    process.stderr.write(`berth registry: unknown command "${cmd}"\n${USAGE}`);
    return 2;
  } catch (e) {
    process.stderr.write(`berth registry: ${errorMessage(e)}\n`);
    return 1;
  }
}
