// Shopify's sessions in Postgres ("Session" table), through Shopify's own PrismaSessionStorage, with
// one fix around its start-up (docs/decisions/096-one-data-layer.md):
// PrismaSessionStorage checks for its table once, in its constructor, and keeps the answer in a
// promise. When Postgres is down at that moment the promise rejects with MissingSessionTableError
// (nothing awaits it yet: an unhandled rejection, which ends a Node process) and stays rejected,
// so every later session call fails even after Postgres is back. Here the first check's
// rejection is handled, and until a check succeeds each call first asks the library to check
// again (`isReady()`, which also resets the library's own state); once one succeeded, calls go
// straight through, and a later outage fails only the calls made during it.
import type { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage, type PrismaSessionStorageInterface } from "@shopify/shopify-app-session-storage-prisma";
import type { PrismaClient } from "@prisma/client";

export interface SessionStorageOptions {
  /** Wait after a failed table check (the library waits after each try). Default 1 s. */
  retryIntervalMs?: number;
}

export class ResilientSessionStorage implements PrismaSessionStorageInterface {
  readonly #inner: PrismaSessionStorage<PrismaClient>;
  #ready = false;

  constructor(prisma: PrismaClient, options: SessionStorageOptions = {}) {
    // One try per check: a request waits one check, not the library's default 2 x 5 s.
    this.#inner = new PrismaSessionStorage(prisma, { connectionRetries: 1, connectionRetryIntervalMs: options.retryIntervalMs ?? 1000 });
    // The library's first check (a private field): its failure is answered by the next call's check.
    const first = (this.#inner as unknown as { ready?: Promise<boolean> }).ready;
    if (first instanceof Promise) {
      first.then(
        (ok) => (this.#ready ||= ok),
        () => undefined,
      );
    }
  }

  /** Checks the table again unless a check succeeded already; true when sessions can be used. */
  async isReady(): Promise<boolean> {
    if (this.#ready) return true;
    this.#ready = await this.#inner.isReady();
    return this.#ready;
  }

  /** Before a call: a new check while none has succeeded; the library then throws its own error if still not ready. */
  async #call<T>(fn: () => Promise<T>): Promise<T> {
    await this.isReady();
    return fn();
  }

  storeSession(session: Session): Promise<boolean> {
    return this.#call(() => this.#inner.storeSession(session));
  }

  loadSession(id: string): Promise<Session | undefined> {
    return this.#call(() => this.#inner.loadSession(id));
  }

  deleteSession(id: string): Promise<boolean> {
    return this.#call(() => this.#inner.deleteSession(id));
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.#call(() => this.#inner.deleteSessions(ids));
  }

  findSessionsByShop(shop: string): Promise<Session[]> {
    return this.#call(() => this.#inner.findSessionsByShop(shop));
  }
}
