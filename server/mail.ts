/**
 * Outgoing e-mail through nodemailer over SMTP (Mailpit locally, a real relay in production).
 * Callers pass finished messages; templates live in templates/ and are rendered elsewhere.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from './config';

export interface OutgoingMail {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  /** Stable id so that a retried send can be recognised by the receiver (Message-ID). */
  messageId?: string;
  headers?: Record<string, string>;
  /** Files sent with the message (the weekly report's XLSX and PDF). */
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  /** Opens an SMTP conversation and says EHLO; rejects when the server cannot be reached. */
  verify(): Promise<void>;
  close(): void;
}

export function createMailer(config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM'>, options: { timeoutMs?: number } = {}): Mailer {
  const timeout = options.timeoutMs ?? 10000;
  const transporter: Transporter = nodemailer.createTransport(config.SMTP_URL, {
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(mail) {
      const info = (await transporter.sendMail({ from: config.MAIL_FROM, ...mail })) as { messageId: string };
      return { messageId: info.messageId };
    },
    async verify() {
      await transporter.verify();
    },
    close() {
      transporter.close();
    },
  };
}
