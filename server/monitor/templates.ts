/**
 * E-mail templates (templates/mail/*.hbs, handlebars): every mail has an HTML part (inside
 * layout.html.hbs, readable on a phone) and a plain-text part. Templates receive only what a
 * mail may say: dossier codes, steps, units, due times and lateness — never record contents.
 *
 * An alert does not keep its rendered mail: it keeps the template's version and the data
 * (JSON) the mail is rendered from, and the version's sources are stored once in
 * `mail_templates` (`<name>@<first 16 hex digits of the SHA-256 of its sources>`). The outbox
 * renders the mail from them when it sends it (`renderStored`): the same bytes at every attempt,
 * whatever the files on disk have become since.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

const TEMPLATE_DIR = path.resolve(__dirname, '../../templates/mail');
export const MAIL_TEMPLATES = ['alert', 'digest', 'weekly'] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** One version of a template: what `mail_templates` stores. */
export interface TemplateVersion {
  version: string;
  name: string;
  layout: string;
  html: string;
  text: string;
}

interface Compiled {
  layout: HandlebarsTemplateDelegate;
  html: HandlebarsTemplateDelegate;
  text: HandlebarsTemplateDelegate;
}

const handlebars = Handlebars.create();
const compile = (source: string, escape: boolean): HandlebarsTemplateDelegate => handlebars.compile(source, { strict: false, noEscape: !escape });

/** Compiled versions by version (a version's sources never change: the version is their digest). */
const compiledByVersion = new Map<string, Compiled>();
let current: Record<MailTemplate, TemplateVersion> | null = null;

export function versionOf(sources: Omit<TemplateVersion, 'version'>): string {
  const digest = createHash('sha256').update([sources.name, sources.layout, sources.html, sources.text].join('\u0000')).digest('hex');
  return `${sources.name}@${digest.slice(0, 16)}`;
}

/** The versions of the templates as the files are now (read once per process). */
export function currentTemplates(): Record<MailTemplate, TemplateVersion> {
  if (!current) {
    const read = (file: string): string => readFileSync(path.join(TEMPLATE_DIR, file), 'utf8');
    const layout = read('layout.html.hbs');
    current = Object.fromEntries(
      MAIL_TEMPLATES.map((name) => {
        const sources = { name, layout, html: read(`${name}.html.hbs`), text: read(`${name}.text.hbs`) };
        return [name, { version: versionOf(sources), ...sources }];
      }),
    ) as Record<MailTemplate, TemplateVersion>;
  }
  return current;
}

function compiled(template: TemplateVersion): Compiled {
  let found = compiledByVersion.get(template.version);
  if (!found) {
    if (versionOf(template) !== template.version) throw new Error(`mail template ${template.version}: its sources do not match its version`);
    found = { layout: compile(template.layout, true), html: compile(template.html, true), text: compile(template.text, false) };
    compiledByVersion.set(template.version, found);
  }
  return found;
}

export interface MailBody {
  subject: string;
  html: string;
  text: string;
}

/** A rendered mail, with the template version and the data it was rendered from (what an alert stores). */
export interface RenderedMail extends MailBody {
  template: string;
  data: Record<string, unknown>;
}

export type MailData = { title: string; agencyName: string; urgent?: boolean } & Record<string, unknown>;

/** Renders `data` (JSON: as stored) with one template version; `data.title` is the subject and the heading. */
export function renderStored(template: TemplateVersion, data: Record<string, unknown>): MailBody {
  const parts = compiled(template);
  const body = parts.html(data);
  return { subject: String(data.title), html: parts.layout({ ...data, body }), text: parts.text(data).replace(/\n{3,}/g, '\n\n').trim() + '\n' };
}

/** Renders a mail with the current templates; the data go through JSON first, so a later render from the stored data is the same. */
export function renderMail(name: MailTemplate, data: MailData): RenderedMail {
  const template = currentTemplates()[name];
  const stored = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  return { ...renderStored(template, stored), template: template.version, data: stored };
}
