/**
 * The restore drill's load: the one-stop partner sending VNeID requests to the product without
 * pause, `concurrency` at a time, each sent again after a 503 (the broker is stopped for its
 * copy, or busy) until it is answered, as the product asks. Every request is kept (the ledger)
 * with the instant its answer came, so that the drill knows which were acknowledged before the
 * backup's recovery point and can send the later ones again to the restored product.
 */
import { formatInstant } from '../../server/calendar/civil-time';
import { PARTNER_KEY, call, type Reply } from '../bench/product';
import { sampleVneidRequest, seededRandom } from '../simulators/sample-requests';

const PARTNER = { 'x-partner-id': 'mot-cua-tinh', 'x-api-key': PARTNER_KEY };
const GIVE_UP_MS = 120_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface SentRequest {
  receiptNumber: string;
  request: unknown;
  /** `performance.now()` when the product answered 200/201; null until then. */
  answeredAt: number | null;
  dossierCode: string | null;
}

export class IntakeLoad {
  readonly sent: SentRequest[] = [];
  /** Answers 503 (or no answer) that were followed by the same request again. */
  resent = 0;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly random = seededRandom(28);

  constructor(private readonly prefix: string) {}

  start(base: string, concurrency: number): void {
    this.running = true;
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop(base));
  }

  /** Stops sending new requests; resolves when every request sent has its answer. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** How many requests have had their answer. */
  answered(): number {
    return this.sent.filter((s) => s.answeredAt !== null).length;
  }

  /** Sends `requests` again (to the restored product); their answers replace the earlier ones. */
  async resend(base: string, requests: readonly SentRequest[]): Promise<void> {
    for (const sent of requests) await this.deliver(base, sent);
  }

  private async loop(base: string): Promise<void> {
    while (this.running) {
      const receiptNumber = `${this.prefix}-${String(this.sent.length).padStart(6, '0')}`;
      const request = sampleVneidRequest({ receiptNumber, receivedAt: formatInstant(Date.now()), random: this.random, paperCopyByPost: false });
      const sent: SentRequest = { receiptNumber, request, answeredAt: null, dossierCode: null };
      this.sent.push(sent);
      await this.deliver(base, sent);
    }
  }

  private async deliver(base: string, sent: SentRequest): Promise<void> {
    const started = performance.now();
    for (;;) {
      const answer: Reply = await call(base, 'POST', '/api/intake/vneid', sent.request, PARTNER).catch(() => ({ status: 0, body: {} }));
      if (answer.status === 200 || answer.status === 201) {
        sent.answeredAt = performance.now();
        sent.dossierCode = String(answer.body.dossierCode);
        return;
      }
      if (answer.status !== 503 && answer.status !== 0) throw new Error(`intake ${sent.receiptNumber}: ${answer.status} ${JSON.stringify(answer.body)}`);
      if (performance.now() - started > GIVE_UP_MS) throw new Error(`intake ${sent.receiptNumber}: no answer but 503 for ${GIVE_UP_MS / 1000} s`);
      this.resent += 1;
      await sleep(500);
    }
  }
}
