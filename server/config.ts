/**
 * Every setting of lltp-flow, declared once: type, default, description, secret or not.
 *
 * `loadConfig(env)` validates the environment at start-up and throws a `ConfigError` that
 * names each bad setting. The README's configuration table is generated from `settings`
 * (`npm run docs:config`), so this file is the single source of truth.
 */
import { z } from 'zod';

type Kind = 'string' | 'url' | 'integer' | 'boolean' | 'enum';

export interface SettingSpec<T> {
  kind: Kind;
  /** Default as it would be written in the environment; `undefined` means required. */
  default: string | undefined;
  description: string;
  secret: boolean;
  schema: z.ZodType<T>;
  /** For `enum` settings: the allowed values, shown in the table. */
  values?: readonly string[];
}

const str = (def: string | undefined, description: string, secret = false): SettingSpec<string> => ({
  kind: 'string',
  default: def,
  description,
  secret,
  schema: z.string().min(1, 'must not be empty'),
});

const optionalStr = (description: string, secret = false): SettingSpec<string> => ({
  kind: 'string',
  default: '',
  description,
  secret,
  schema: z.string(),
});

const url = (def: string, description: string, protocols: readonly string[], secret = false): SettingSpec<string> => ({
  kind: 'url',
  default: def,
  description,
  secret,
  schema: z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${protocols.join(' or ')}` },
  ),
});

const int = (def: number, description: string, min: number, max: number): SettingSpec<number> => ({
  kind: 'integer',
  default: String(def),
  description,
  secret: false,
  schema: z
    .string()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)),
});

const bool = (def: boolean, description: string): SettingSpec<boolean> => ({
  kind: 'boolean',
  default: String(def),
  description,
  secret: false,
  schema: z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true'),
});

const oneOf = <const V extends readonly [string, ...string[]]>(
  values: V,
  def: V[number],
  description: string,
): SettingSpec<V[number]> => ({
  kind: 'enum',
  default: def,
  description,
  secret: false,
  values,
  schema: z.enum(values, { message: `must be one of ${values.join(', ')}` }),
});

export const settings = {
  NODE_ENV: oneOf(['development', 'test', 'production'], 'development', 'Run mode.'),
  LOG_LEVEL: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info', 'Minimum level of the JSON log lines.'),

  ZEEBE_GRPC_ADDRESS: url('grpc://127.0.0.1:26500', 'Zeebe gateway gRPC address; `grpcs://` for TLS.', ['grpc', 'grpcs']),
  ZEEBE_MANAGEMENT_URL: url('http://127.0.0.1:9600', 'Zeebe management (actuator) endpoint: readiness, and the controlled clock in tests.', ['http', 'https']),
  ZEEBE_AUTH_STRATEGY: oneOf(['NONE', 'OAUTH'], 'NONE', 'How the app authenticates to the Zeebe gateway.'),
  ZEEBE_OAUTH_URL: optionalStr('OAuth token endpoint when ZEEBE_AUTH_STRATEGY=OAUTH.'),
  ZEEBE_CLIENT_ID: optionalStr('OAuth client id when ZEEBE_AUTH_STRATEGY=OAUTH.'),
  ZEEBE_CLIENT_SECRET: optionalStr('OAuth client secret when ZEEBE_AUTH_STRATEGY=OAUTH.', true),

  MONGODB_URI: url('mongodb://127.0.0.1:27017/lltp', 'Read-model database (MongoDB 7 in production, FerretDB locally). May hold credentials.', ['mongodb', 'mongodb+srv'], true),

  SMTP_URL: url('smtp://127.0.0.1:1025', 'SMTP server for alert e-mails; `smtps://user:pass@host:465` for TLS. May hold credentials.', ['smtp', 'smtps'], true),
  MAIL_FROM: str('"Hệ thống LLTP Sở Tư pháp" <lltp-flow@localhost>', 'Sender of every e-mail.'),

  HTTP_HOST: str('127.0.0.1', 'Interface the API listens on.'),
  HTTP_PORT: int(3000, 'Port the API listens on.', 1, 65535),
  PUBLIC_BASE_URL: url('http://127.0.0.1:3000', 'Base URL used in links inside e-mails and pages.', ['http', 'https']),
  TRUST_PROXY: bool(false, 'Honour X-Forwarded-* headers (set when the API runs behind a reverse proxy).'),

  WORKER_MAX_JOBS: int(32, 'Jobs each worker may hold at once.', 1, 1000),
  WORKER_DRAIN_TIMEOUT_MS: int(10000, 'On shutdown, how long workers may finish in-flight jobs.', 0, 600000),
} satisfies Record<string, SettingSpec<unknown>>;

export type SettingName = keyof typeof settings;
export type Config = { [K in SettingName]: (typeof settings)[K] extends SettingSpec<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(readonly problems: readonly { setting: string; message: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.setting} ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates every setting; throws one `ConfigError` naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: { setting: string; message: string }[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(settings) as [SettingName, SettingSpec<unknown>][]) {
    const raw = env[name] ?? spec.default;
    if (raw === undefined) {
      problems.push({ setting: name, message: 'is required' });
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) out[name] = parsed.data;
    else problems.push({ setting: name, message: parsed.error.issues.map((i) => i.message).join(', ') });
  }
  if (out.ZEEBE_AUTH_STRATEGY === 'OAUTH') {
    for (const name of ['ZEEBE_OAUTH_URL', 'ZEEBE_CLIENT_ID', 'ZEEBE_CLIENT_SECRET'] as const) {
      if (!out[name]) problems.push({ setting: name, message: 'is required when ZEEBE_AUTH_STRATEGY=OAUTH' });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as Config;
}

/** The configuration table for the README, one row per setting; secrets never show a value. */
export function configTableMarkdown(): string {
  const rows = Object.entries(settings).map(([name, spec]: [string, SettingSpec<unknown>]) => {
    const type = spec.kind === 'enum' && spec.values ? spec.values.join(' \\| ') : spec.kind;
    const def = spec.default === undefined ? '*(required)*' : spec.default === '' ? '*(empty)*' : `\`${spec.default}\``;
    return `| \`${name}\` | ${type} | ${def} | ${spec.secret ? 'yes' : 'no'} | ${spec.description} |`;
  });
  return ['| setting | type | default | secret | description |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
