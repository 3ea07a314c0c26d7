// Every CLI command, by name. Add a command: create app/cli/commands/<name>.ts and list it here.
import type { Command } from "./command";
import { doctor } from "./commands/doctor";
import { setup } from "./commands/setup";
import { gs1Parse } from "./commands/gs1-parse";

import { lotsProduce } from "./commands/lots-produce";
import { traceLotCommand } from "./commands/trace-lot";
import { traceCustomerCommand } from "./commands/trace-customer";
import { recallCustomers } from "./commands/recall-customers";

export const commands: Command[] = [doctor, setup, gs1Parse, lotsProduce, traceLotCommand, traceCustomerCommand, recallCustomers];
