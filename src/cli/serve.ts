/** @module cli/serve — `rotor serve` (the default command): load config, start the server, shut down on signals. */
import cluster from 'node:cluster';
import { rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadConfig, SCHEMA, type Config, type ConfigKey, type LoadConfigInput } from '../config/index.js';
import { parseGoBool } from '../config/coerce.js';
import { createLogger } from '../observability/logger.js';

/** `config.dev.json` at the package root (same relative path from src/cli and dist/cli); used by `--dev`. */
export const DEV_CONFIG_PATH = fileURLToPath(new URL('../../config.dev.json', import.meta.url));

/** Root/serve flags of Centrifugo's CLI that this server honours; each is also a config key. */
const FLAGS: readonly { key: ConfigKey; short?: string }[] = [
  { key: 'engine', short: 'e' },
  { key: 'broker' },
  { key: 'log_level' },
  { key: 'log_file' },
  { key: 'pid_file' },
  { key: 'workers' },
  { key: 'name', short: 'n' },
  { key: 'admin' },
  { key: 'admin_external' },
  { key: 'admin_insecure' },
  { key: 'prometheus' },
  { key: 'health' },
  { key: 'swagger' },
  { key: 'debug' },
  { key: 'uni_websocket' },
  { key: 'uni_sse' },
  { key: 'uni_http_stream' },
  { key: 'sse' },
  { key: 'http_stream' },
  { key: 'sockjs' },
  { key: 'client_insecure' },
  { key: 'api_insecure' },
  { key: 'api_external' },
  { key: 'address', short: 'a' },
  { key: 'port', short: 'p' },
  { key: 'internal_address' },
  { key: 'internal_port' },
  { key: 'tls' },
  { key: 'tls_cert' },
  { key: 'tls_key' },
  { key: 'tls_external' },
  { key: 'grpc_api' },
  { key: 'grpc_api_port' },
  { key: 'grpc_api_tls' },
  { key: 'grpc_api_tls_cert' },
  { key: 'grpc_api_tls_key' },
  { key: 'grpc_api_tls_disable' },
  { key: 'uni_grpc' },
  { key: 'uni_grpc_port' },
  { key: 'redis_address' },
  { key: 'nats_url' },
];

/** What `startServer` (src/app/server.ts) returns. `reload` is optional: SIGHUP uses it when present. */
interface RunningServer {
  close(): Promise<void>;
  reload?: (config: Config) => Promise<void> | void;
}

function parseBoolFlag(value: string): boolean {
  const b = parseGoBool(value);
  if (b === undefined) throw new InvalidArgumentError('expected a boolean (1, t, true, 0, f, false, …)');
  return b;
}

/** Adds `-c/--config`, `--dev` and every config flag to `cmd`. */
export function addServeOptions(cmd: Command): Command {
  cmd.option('-c, --config <file>', 'config file (.json, .yaml, .yml, .toml)', 'config.json');
  cmd.option('--dev', `use the development config (${DEV_CONFIG_PATH}) unless -c is given`);
  for (const { key, short } of FLAGS) {
    const spec = SCHEMA[key];
    const names = `${short === undefined ? '' : `-${short}, `}--${key}`;
    const opt =
      spec.type === 'bool'
        ? new Option(`${names} [bool]`, spec.doc).argParser(parseBoolFlag)
        : new Option(`${names} <value>`, spec.doc);
    cmd.addOption(opt);
  }
  return cmd;
}

/** Config keys whose flags were explicitly passed on the command line (a flag's own default never overrides). */
export function explicitFlags(cmd: Command): Record<string, unknown> {
  const opts = cmd.opts<Record<string, unknown>>();
  const out: Record<string, unknown> = {};
  for (const { key } of FLAGS) {
    if (cmd.getOptionValueSource(key) === 'cli') out[key] = opts[key];
  }
  return out;
}

interface ServeInput extends LoadConfigInput {
  /** Process exit, injectable for tests. */
  readonly exit?: (code: number) => void;
}

/** Loads the config, writes the PID file, starts the server and installs SIGINT/SIGTERM/SIGHUP handlers. */
async function serve(input: ServeInput): Promise<RunningServer> {
  const { config, warnings, configFile } = await loadConfig(input);
  const logger = createLogger({ level: config.log_level, file: config.log_file === '' ? undefined : config.log_file });
  for (const w of warnings) logger.warn(w);
  const exit = input.exit ?? ((code: number) => process.exit(code));

  let pidWritten = false;
  const primary = config.workers !== 1 && cluster.isPrimary;
  if (config.pid_file !== '' && !cluster.isWorker) {
    await writeFile(config.pid_file, `${process.pid}\n`, { mode: 0o644 });
    pidWritten = true;
  }
  const removePid = async (): Promise<void> => {
    if (pidWritten) await rm(config.pid_file, { force: true }).catch(() => undefined);
  };

  let server: RunningServer;
  try {
    if (primary) {
      // `--workers N`: this process forks and supervises the workers (src/app/workers.ts).
      const { startPrimary } = await import('../app/workers.js');
      const p = await startPrimary(config, { logger });
      server = { close: () => p.close(), reload: () => p.reload() };
    } else {
      const { startServer } = await import('../app/server.js');
      server = await startServer(config, { configFile, logger });
    }
  } catch (err) {
    await removePid();
    throw err;
  }

  let shuttingDown = false;
  const onTerminate = (signal: NodeJS.Signals): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('signal received', { signal });
    logger.info('shutting down ...');
    // shutdown_timeout 0 = no hard deadline
    const hard =
      config.shutdown_timeout > 0
        ? setTimeout(() => {
            logger.error('shutdown timeout exceeded');
            void removePid().finally(() => exit(1));
          }, config.shutdown_timeout)
        : undefined;
    server.close().then(
      async () => {
        clearTimeout(hard);
        await removePid();
        if (config.shutdown_termination_delay > 0) await sleep(config.shutdown_termination_delay);
        exit(0);
      },
      async (err: unknown) => {
        clearTimeout(hard);
        logger.error('error during shutdown', { error: String(err) });
        await removePid();
        exit(1);
      },
    );
  };
  const onReload = (): void => {
    logger.info('signal received', { signal: 'SIGHUP' });
    loadConfig(input).then(
      async ({ config: next }) => {
        if (server.reload === undefined) logger.warn('configuration reload is not supported by this server');
        else await server.reload(next);
      },
      (err: unknown) => logger.error('error reloading configuration, keeping the current one', { error: String(err) }),
    ).catch((err: unknown) => logger.error('error applying reloaded configuration', { error: String(err) }));
  };
  process.on('SIGINT', onTerminate);
  process.on('SIGTERM', onTerminate);
  process.on('SIGHUP', onReload);
  return server;
}

/** Registers `serve` as the default command (`rotor -c x.json` = `rotor serve -c x.json`). */
export function registerServeCommand(program: Command): void {
  const cmd = program.command('serve', { isDefault: true }).description('run the server (default command)');
  addServeOptions(cmd).action(async (opts: { config: string; dev?: boolean }, command: Command) => {
    const explicitConfig = command.getOptionValueSource('config') === 'cli';
    const configPath = !explicitConfig && opts.dev === true ? DEV_CONFIG_PATH : opts.config;
    await serve({ configPath, flags: explicitFlags(command) });
  });
}
