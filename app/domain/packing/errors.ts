// Errors of the pack station: the input itself is wrong (not a refusal of a scanned unit, which is
// an answer, see pack-rules.ts). Each says what to do.
import { DomainError } from "../errors";

export class PackStationInputError extends DomainError {
  override name = "PackStationInputError";
}
