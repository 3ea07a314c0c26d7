// The base of every error the people using Lotkeeper can act on: input that breaks a rule, a lot or
// recall that is not the shop's, a state that forbids the change. Its message says what went wrong
// and what to do, so entry points show it as it is (the CLI as one line, exit 1; routes as a 4xx
// or a banner). Any other error is a bug or an outage. Each context subclasses it (LotError,
// RecallError, ...) and its typed errors say which case it is.
export class DomainError extends Error {
  override name = "DomainError";
}
