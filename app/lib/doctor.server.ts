// `lotkeeper doctor`: each check says what is wrong and how to fix it.
import { env } from "../env.server";
import { migrationsApplied, migrationsInRepo } from "./migrations.server";
import { checkPostgres, checkRedis } from "./services.server";
import { checkSmtp } from "./mail.server";

export interface Check {
  name: string;
  ok: boolean;
  message: string;
  fix?: string;
}

export async function runDoctor(): Promise<{ ok: boolean; node: string; checks: Check[] }> {
  const checks: Check[] = [];
  const done = () => ({ ok: checks.every((c) => c.ok), node: process.version, checks });

  try {
    const config = env();
    checks.push({ name: "config", ok: true, message: `configuration valid (NODE_ENV=${config.NODE_ENV})` });
  } catch (error) {
    checks.push({ name: "config", ok: false, message: (error as Error).message, fix: "copy .env.example to .env (npm run setup does) and set the variable" });
    return done();
  }
  const { DATABASE_URL, REDIS_URL } = env();

  const admin = new URL(DATABASE_URL);
  admin.pathname = "/postgres";
  try {
    await checkPostgres(admin.toString());
    checks.push({ name: "postgres", ok: true, message: `Postgres answers at ${admin.host}` });
    try {
      await checkPostgres(DATABASE_URL);
      const [inRepo, applied] = await Promise.all([migrationsInRepo(), migrationsApplied(DATABASE_URL)]);
      const missing = inRepo.filter((m) => !applied.includes(m));
      checks.push(
        missing.length === 0
          ? { name: "migrations", ok: true, message: `${applied.length} migration(s) applied` }
          : { name: "migrations", ok: false, message: `${missing.length} migration(s) not applied: ${missing.join(", ")}`, fix: "npm run setup" },
      );
    } catch (error) {
      checks.push({ name: "database", ok: false, message: (error as Error).message, fix: "npm run setup" });
    }
  } catch (error) {
    checks.push({ name: "postgres", ok: false, message: (error as Error).message, fix: "start Postgres, then npm run setup" });
  }

  try {
    await checkRedis(REDIS_URL);
    checks.push({ name: "redis", ok: true, message: `Redis answers at ${new URL(REDIS_URL).host}` });
  } catch (error) {
    checks.push({ name: "redis", ok: false, message: (error as Error).message, fix: "start Redis" });
  }

  // Only when set: without SMTP_URL the app runs, it just cannot send recall notices.
  const smtpUrl = env().SMTP_URL;
  if (smtpUrl) {
    const host = new URL(smtpUrl).host;
    try {
      await checkSmtp(smtpUrl);
      checks.push({ name: "smtp", ok: true, message: `mail server answers at ${host}` });
    } catch (error) {
      checks.push({
        name: "smtp",
        ok: false,
        message: `mail server at ${host}: ${(error as Error).message}`,
        fix: "check SMTP_URL (host, port, user and password)",
      });
    }
  }
  return done();
}
