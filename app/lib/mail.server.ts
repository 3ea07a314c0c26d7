// The mail adapter (nodemailer): one transporter per SMTP URL and process, a new SMTP connection
// per message (no pooled state to lose with a process). Recall notices send through it
// (app/domain/recall/recall-notices.server.ts); `lotkeeper doctor` checks the server answers.
import nodemailer, { type Mail } from "nodemailer";

const transports = new Map<string, Mail>();

export function mailTransport(url: string): Mail {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}

/** Connects, greets and (with credentials in the URL) logs in, then quits: throws what went wrong. */
export async function checkSmtp(url: string): Promise<void> {
  const probe = nodemailer.createTransport(url, {});
  try {
    await probe.verify();
  } finally {
    probe.close();
  }
}
