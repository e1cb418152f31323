/** @module cli/token-commands — `gentoken`, `gensubtoken`, `checktoken`, `checksubtoken` (Centrifugo's command-line flags). */

import { errorText } from '../util/error-text.js';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { SignJWT } from 'jose';
import { TokenError, TokenVerifier, connectionVerifierOptions, subscriptionVerifierOptions } from '../auth/index.js';
import type { TokenConfig } from '../auth/index.js';
import { formatDuration, loadConfig } from '../config/index.js';
import type { Config } from '../config/index.js';

const DEFAULT_TTL_SECONDS = 604_800;

/** A user-facing failure: printed as `error: <message>`, exit code 1. */
class CliError extends Error {
  override readonly name = 'CliError';
}

interface GenOptions {
  config: string;
  user: string;
  ttl: number;
  quiet?: boolean;
  channel?: string;
}

interface CheckOptions {
  config: string;
}

function parseTtl(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('TTL must be an integer number of seconds.');
  return Number.parseInt(value, 10);
}

/**
 * The config path for a subcommand: its own `-c` when given, else a `-c` the root program parsed
 * (commander lets the root consume options placed after the subcommand name), else the default.
 */
function configPathOf(cmd: Command, own: string): string {
  const source = cmd.getOptionValueSource('config');
  if (source === 'cli' || source === 'env') return own;
  const parent = cmd.parent;
  if (parent !== null) {
    const parentSource = parent.getOptionValueSource('config');
    const parentValue: unknown = parent.getOptionValue('config');
    if ((parentSource === 'cli' || parentSource === 'env') && typeof parentValue === 'string') return parentValue;
  }
  return own;
}

async function readConfig(configPath: string): Promise<{ config: Config; fileFound: boolean }> {
  const { config, configFile } = await loadConfig({ configPath });
  return { config, fileFound: configFile !== undefined };
}

/** HMAC secret, audience and issuer used for generated tokens of one kind. */
function signingSettings(config: TokenConfig, subscription: boolean): { secret: string; audience: string; issuer: string } {
  if (subscription && config.separate_subscription_token_config === true) {
    return {
      secret: config.subscription_token_hmac_secret_key ?? '',
      audience: config.subscription_token_audience ?? '',
      issuer: config.subscription_token_issuer ?? '',
    };
  }
  return { secret: config.token_hmac_secret_key ?? '', audience: config.token_audience ?? '', issuer: config.token_issuer ?? '' };
}

/**
 * Signs an HS256 token: `sub`, `iat`, `exp` (only when ttl > 0), `channel` for subscription tokens,
 * `aud`/`iss` when an exact audience/issuer is configured (so `checktoken` accepts the result).
 */
async function generateHmacToken(
  config: TokenConfig,
  input: { user: string; ttlSeconds: number; channel?: string | undefined; nowMs?: number },
): Promise<string> {
  const subscription = input.channel !== undefined;
  const { secret, audience, issuer } = signingSettings(config, subscription);
  if (secret === '') {
    throw new CliError(subscription && config.separate_subscription_token_config === true ? 'no subscription HMAC secret key set' : 'no HMAC secret key set');
  }
  const nowSec = Math.floor((input.nowMs ?? Date.now()) / 1000);
  const claims: Record<string, unknown> = { sub: input.user };
  if (subscription) claims['channel'] = input.channel;
  if (audience !== '') claims['aud'] = [audience];
  if (issuer !== '') claims['iss'] = issuer;
  claims['iat'] = nowSec;
  if (input.ttlSeconds > 0) claims['exp'] = nowSec + input.ttlSeconds;
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

function describeUser(user: string, quoted: boolean): string {
  if (user === '') return 'anonymous user';
  return quoted ? `user "${user}"` : `user ${user}`;
}

function describeTtl(ttlSeconds: number): string {
  return ttlSeconds < 0 ? 'without expiration' : `with expiration TTL ${formatDuration(ttlSeconds * 1000)}`;
}

/** The JSON text of a compact JWT's payload segment. */
function payloadText(token: string): string {
  return Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8');
}

function tokenErrorMessage(err: TokenError): string {
  if (err.kind === 'unavailable') return `token can not be checked now: ${err.message}`;
  return err.kind === 'expired' ? `token expired (${err.message})` : `invalid token: ${err.message}`;
}

/** Runs an action, turning any failure into `error: …` on stderr and exit code 1 (never throws). */
async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    const message = err instanceof TokenError ? tokenErrorMessage(err) : errorText(err);
    console.error(`error: ${message}`);
    process.exitCode = 1;
  }
}

async function generate(cmd: Command, opts: GenOptions, subscription: boolean): Promise<void> {
  const configPath = configPathOf(cmd, opts.config);
  const { config, fileFound } = await readConfig(configPath);
  let token: string;
  try {
    token = await generateHmacToken(config, { user: opts.user, ttlSeconds: opts.ttl, channel: subscription ? opts.channel : undefined });
  } catch (err) {
    if (err instanceof CliError && !fileFound) throw new CliError(`${err.message} (config file ${configPath} not found)`);
    throw err;
  }
  if (opts.quiet === true) {
    console.log(token);
    return;
  }
  const channel = subscription ? ` and channel "${opts.channel ?? ''}"` : '';
  console.log(`HMAC SHA-256 JWT for ${describeUser(opts.user, true)}${channel} ${describeTtl(opts.ttl)}:\n${token}`);
}

async function check(cmd: Command, token: string, opts: CheckOptions, subscription: boolean): Promise<void> {
  const { config } = await readConfig(configPathOf(cmd, opts.config));
  if (subscription) {
    const verifier = new TokenVerifier(subscriptionVerifierOptions(config));
    const claims = await verifier.verifySubscribeToken(token);
    console.log(`valid subscription token for ${describeUser(claims.userId, false)} and channel "${claims.channel}"\npayload: ${payloadText(token)}`);
    return;
  }
  const verifier = new TokenVerifier(connectionVerifierOptions(config));
  const claims = await verifier.verifyConnectToken(token);
  console.log(`valid token for ${describeUser(claims.userId, false)}\npayload: ${payloadText(token)}`);
}

/** The token subcommands: connection and subscription variants of generating and checking. */
const GEN_COMMANDS = [
  { name: 'gentoken', subscription: false, description: 'generate a sample HMAC SHA-256 connection JWT for a user (token_hmac_secret_key)' },
  { name: 'gensubtoken', subscription: true, description: 'generate a sample HMAC SHA-256 subscription JWT for a user and channel' },
] as const;
const CHECK_COMMANDS = [
  { name: 'checktoken', subscription: false, description: 'check a connection JWT against the configured token settings' },
  { name: 'checksubtoken', subscription: true, description: 'check a subscription JWT against the configured subscription token settings' },
] as const;

/** Adds the four token subcommands to the root program. Failures set `process.exitCode = 1`. */
export function registerTokenCommands(program: Command): void {
  for (const { name, subscription, description } of GEN_COMMANDS) {
    const gen = program
      .command(name)
      .description(description)
      .option('-c, --config <file>', 'path to the config file', 'config.json')
      .option('-u, --user <id>', 'user ID, empty for an anonymous user', '');
    if (subscription) gen.requiredOption('-s, --channel <channel>', 'channel the token grants');
    gen
      .option('-t, --ttl <seconds>', 'token TTL in seconds, -1 for no expiration', parseTtl, DEFAULT_TTL_SECONDS)
      .option('-q, --quiet', 'print only the token')
      .action(async (opts: GenOptions, cmd: Command) => run(() => generate(cmd, opts, subscription)));
  }
  for (const { name, subscription, description } of CHECK_COMMANDS) {
    program
      .command(name)
      .description(description)
      .argument('<token>', 'the JWT to check')
      .option('-c, --config <file>', 'path to the config file', 'config.json')
      .action(async (token: string, opts: CheckOptions, cmd: Command) => run(() => check(cmd, token, opts, subscription)));
  }
}
