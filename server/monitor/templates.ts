/**
 * E-mail templates (templates/mail/*.hbs, handlebars): every mail has an HTML part (inside
 * layout.html.hbs, readable on a phone) and a plain-text part. Templates receive only what a
 * mail may say: dossier codes, steps, units, due times and lateness — never record contents.
 *
 * An alert does not keep its rendered mail: it keeps the template's version and the data
 * (JSON) that are its own, and its subject (`data.title`). A version, stored once in
 * `mail_templates` as `<name>@<first 16 hex digits of a SHA-256>`, is the template's sources
 * (layout, HTML, text) with the values many mails share (`SHARED_KEYS`: the agency's name, the
 * lead sentence of an alert's kind, …); its digest covers both. The outbox renders each mail from
 * them when it sends it (`renderStored`): the same bytes at every attempt, whatever the files
 * on disk have become since.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

const TEMPLATE_DIR = path.resolve(__dirname, '../../templates/mail');
export const MAIL_TEMPLATES = ['alert', 'digest', 'weekly'] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** Values that are the same in many mails of a template: stored once with its version, not in each alert. */
export const SHARED_KEYS: Record<MailTemplate, readonly string[]> = {
  alert: ['agencyName', 'lead', 'urgent'],
  digest: ['agencyName', 'inboxLink'],
  weekly: ['agencyName', 'vneidShareLabel', 'vneidShareResolvedLabel', 'refusedLabel', 'withdrawnLabel', 'vneidTarget', 'onTimeTarget'],
};

export type SharedValues = Record<string, string | number | boolean>;

/** One version of a template: what `mail_templates` stores. */
export interface TemplateVersion {
  version: string;
  name: string;
  layout: string;
  html: string;
  text: string;
  shared: SharedValues;
}

interface Compiled {
  layout: HandlebarsTemplateDelegate;
  html: HandlebarsTemplateDelegate;
  text: HandlebarsTemplateDelegate;
}

const handlebars = Handlebars.create();
const compile = (source: string, escape: boolean): HandlebarsTemplateDelegate => handlebars.compile(source, { strict: false, noEscape: !escape });

/** Compiled sources by their digest (a version's sources never change). */
const compiledBySources = new Map<string, Compiled>();
let current: Record<MailTemplate, { name: MailTemplate; layout: string; html: string; text: string }> | null = null;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
/** JSON with the keys sorted: the same text before and after a trip through jsonb. */
const canonical = (shared: SharedValues): string => JSON.stringify(Object.fromEntries(Object.entries(shared).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
const sourcesDigest = (t: Pick<TemplateVersion, 'name' | 'layout' | 'html' | 'text'>): string => sha256([t.name, t.layout, t.html, t.text].join('\u0000'));

export function versionOf(t: Omit<TemplateVersion, 'version'>): string {
  return `${t.name}@${sha256(`${sourcesDigest(t)}\u0000${canonical(t.shared)}`).slice(0, 16)}`;
}

/** The templates as the files are now (read once per process). */
function currentSources(): NonNullable<typeof current> {
  if (!current) {
    const read = (file: string): string => readFileSync(path.join(TEMPLATE_DIR, file), 'utf8');
    const layout = read('layout.html.hbs');
    current = Object.fromEntries(MAIL_TEMPLATES.map((name) => [name, { name, layout, html: read(`${name}.html.hbs`), text: read(`${name}.text.hbs`) }])) as NonNullable<typeof current>;
  }
  return current;
}

function compiled(template: TemplateVersion): Compiled {
  if (versionOf(template) !== template.version) throw new Error(`mail template ${template.version}: its sources do not match its version`);
  const key = sourcesDigest(template);
  let found = compiledBySources.get(key);
  if (!found) {
    found = { layout: compile(template.layout, true), html: compile(template.html, true), text: compile(template.text, false) };
    compiledBySources.set(key, found);
  }
  return found;
}

export interface MailBody {
  subject: string;
  html: string;
  text: string;
}

/** A rendered mail, with what an alert stores of it: the template version, and the data of its own (without the subject). */
export interface RenderedMail extends MailBody {
  template: TemplateVersion;
  data: Record<string, unknown>;
}

export type MailData = { title: string; agencyName: string; urgent?: boolean } & Record<string, unknown>;

/** Renders a mail from a template version, the data of its own (JSON: as stored) and its subject (the heading too). */
export function renderStored(template: TemplateVersion, own: Record<string, unknown>, subject: string): MailBody {
  const parts = compiled(template);
  const data = { ...template.shared, ...own, title: subject };
  const body = parts.html(data);
  return { subject, html: parts.layout({ ...data, body }), text: parts.text(data).replace(/\n{3,}/g, '\n\n').trim() + '\n' };
}

/**
 * Renders a mail with the current templates; the data go through JSON first and are split into
 * the shared values (with the version) and the mail's own, so a later render from what is stored
 * is the same.
 */
export function renderMail(name: MailTemplate, data: MailData): RenderedMail {
  const { title, ...rest } = JSON.parse(JSON.stringify(data)) as MailData;
  const shared: SharedValues = {};
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (SHARED_KEYS[name].includes(key) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) shared[key] = value;
    else own[key] = value;
  }
  const sources = currentSources()[name];
  const template: TemplateVersion = { ...sources, shared, version: versionOf({ ...sources, shared }) };
  return { ...renderStored(template, own, title), template, data: own };
}
