/** A small client for Mailpit's REST API, to read what the SMTP sink received. */
export interface MailpitSummary {
  ID: string;
  MessageID: string;
  Subject: string;
  To: { Address: string; Name: string }[];
  /** When Mailpit received it (ISO 8601). */
  Created: string;
}

export interface MailpitMessage extends MailpitSummary {
  Text: string;
  HTML: string;
  Attachments: { PartID: string; FileName: string; ContentType: string; Size: number }[];
}

export class MailpitClient {
  constructor(private readonly baseUrl = process.env.MAILPIT_API_URL ?? 'http://127.0.0.1:8025') {}

  async search(query: string): Promise<MailpitSummary[]> {
    const response = await fetch(`${this.baseUrl}/api/v1/search?query=${encodeURIComponent(query)}`);
    if (!response.ok) throw new Error(`Mailpit search answered ${response.status}`);
    const body = (await response.json()) as { messages: MailpitSummary[] };
    return body.messages;
  }

  /**
   * A filter for the messages Mailpit receives after this call: newer than the newest it holds
   * now, by Mailpit's own reception times (no clock of the test is read).
   */
  async receivedFromNow(): Promise<(m: { Created?: string }) => boolean> {
    const response = await fetch(`${this.baseUrl}/api/v1/messages?limit=1`);
    if (!response.ok) throw new Error(`Mailpit messages answered ${response.status}`);
    const newest = ((await response.json()) as { messages: MailpitSummary[] }).messages[0];
    const after = newest ? Date.parse(newest.Created) : Number.NEGATIVE_INFINITY;
    return (m) => Date.parse(String(m.Created)) > after;
  }

  async message(id: string): Promise<MailpitMessage> {
    const response = await fetch(`${this.baseUrl}/api/v1/message/${id}`);
    if (!response.ok) throw new Error(`Mailpit message ${id} answered ${response.status}`);
    return (await response.json()) as MailpitMessage;
  }

  /** The bytes of one attachment of a message. */
  async attachment(id: string, partId: string): Promise<Buffer> {
    const response = await fetch(`${this.baseUrl}/api/v1/message/${id}/part/${partId}`);
    if (!response.ok) throw new Error(`Mailpit attachment ${id}/${partId} answered ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }
}
