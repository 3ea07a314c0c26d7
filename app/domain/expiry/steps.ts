// The daily expiry job's steps, in the order they run (app/domain/expiry/expiry-step.ts). Each
// area adds its step here: mark expired, alert window, quarantine, markdowns, digest.
import type { ExpiryStep } from "./expiry-step";
import { expireStep } from "./expire-step.server";
import { alertStep } from "./alert-step.server";
import { quarantineStep } from "./quarantine-step.server";
import { markdownStep } from "./markdown-step.server";

export const EXPIRY_STEPS: readonly ExpiryStep[] = [expireStep, quarantineStep, markdownStep, alertStep];
