// The daily expiry job's steps, in the order they run (app/domain/expiry/expiry-step.ts). Each
// area adds its step here: mark expired, alert window, quarantine, markdowns, digest.
import type { ExpiryStep } from "./expiry-step";

export const EXPIRY_STEPS: readonly ExpiryStep[] = [];
