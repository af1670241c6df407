/**
 * E-mail templates (templates/mail/*.hbs, handlebars): every mail has an HTML part (inside
 * layout.html.hbs, readable on a phone) and a plain-text part. Templates receive only what a
 * mail may say: dossier codes, steps, units, due times and lateness — never record contents.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

const TEMPLATE_DIR = path.resolve(__dirname, '../../templates/mail');
export const MAIL_TEMPLATES = ['alert', 'digest', 'weekly'] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

const handlebars = Handlebars.create();
const load = (file: string, escape: boolean): HandlebarsTemplateDelegate =>
  handlebars.compile(readFileSync(path.join(TEMPLATE_DIR, file), 'utf8'), { strict: false, noEscape: !escape });

let compiled: { layout: HandlebarsTemplateDelegate; parts: Record<MailTemplate, { html: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate }> } | null = null;

function templates(): NonNullable<typeof compiled> {
  compiled ??= {
    layout: load('layout.html.hbs', true),
    parts: Object.fromEntries(MAIL_TEMPLATES.map((name) => [name, { html: load(`${name}.html.hbs`, true), text: load(`${name}.text.hbs`, false) }])) as Record<
      MailTemplate,
      { html: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate }
    >,
  };
  return compiled;
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** Renders a mail; `data.title` is the subject and the heading. */
export function renderMail(name: MailTemplate, data: { title: string; agencyName: string; urgent?: boolean } & Record<string, unknown>): RenderedMail {
  const { layout, parts } = templates();
  const body = parts[name].html(data);
  return { subject: data.title, html: layout({ ...data, body }), text: parts[name].text(data).replace(/\n{3,}/g, '\n\n').trim() + '\n' };
}
