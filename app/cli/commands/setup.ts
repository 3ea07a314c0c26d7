import type { Command } from "../command";
import { setupDatabase } from "../../lib/setup.server";

export const setup: Command = {
  name: "setup",
  summary: "Create .env if missing, create the database if missing, apply migrations",
  usage: `lotkeeper setup   (also: npm run setup)

Writes .env from .env.example when there is none (with a fresh local secret), creates the
database named in DATABASE_URL when it does not exist, then applies every migration in
prisma/migrations (prisma migrate deploy). Safe to run again.`,
  async run() {
    return setupDatabase();
  },
};
