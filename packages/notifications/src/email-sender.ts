import nodemailer, { type Transporter } from 'nodemailer';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** The event's id: the same Message-ID for every attempt lets mail clients drop duplicates. */
  messageId: string;
  eventType: string;
  attachment?: { filename: string; path: string; contentType: string };
}

export type EmailResult =
  | { kind: 'accepted'; response: string; durationMs: number }
  | { kind: 'rejected'; code: number | undefined; response: string; durationMs: number };

/** One SMTP transport per process (SMTP_URL, e.g. smtp://127.0.0.1:1025), sending as SMTP_FROM. */
export class EmailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl, {});
  }

  async send(message: EmailMessage): Promise<EmailResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const info = await withTimeout(
        this.transport.sendMail({
          from: this.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          messageId: `<${message.messageId}@store-monitoring>`,
          headers: { 'X-Store-Monitoring-Event': message.eventType },
          attachments: message.attachment ? [message.attachment] : [],
        }),
        this.timeoutMs,
      );
      return { kind: 'accepted', response: String(info.response ?? 'accepted'), durationMs: elapsed() };
    } catch (error) {
      const smtp = error as { responseCode?: number; response?: string; message?: string; code?: string };
      return { kind: 'rejected', code: smtp.responseCode, response: smtp.response ?? `${smtp.code ?? 'error'}: ${smtp.message ?? String(error)}`, durationMs: elapsed() };
    }
  }

  close(): void {
    this.transport.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error(`no SMTP answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}
