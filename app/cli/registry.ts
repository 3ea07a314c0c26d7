// Every CLI command, by name. Add a command: create app/cli/commands/<name>.ts and list it here.
import type { Command } from "./command";
import { doctor } from "./commands/doctor";
import { setup } from "./commands/setup";
import { gs1Parse } from "./commands/gs1-parse";
import { lotsReceive } from "./commands/lots-receive";
import { lotsShow } from "./commands/lots-show";
import { lotsList } from "./commands/lots-list";
import { lotsAdjust } from "./commands/lots-adjust";
import { lotsCount } from "./commands/lots-count";
import { lotsBin } from "./commands/lots-bin";
import { lotsTransfer } from "./commands/lots-transfer";
import { lotsQuarantine, lotsRelease } from "./commands/lots-quarantine";
import { lotsImport } from "./commands/lots-import";
import { lotsEdit } from "./commands/lots-edit";
import { lotsLabel } from "./commands/lots-label";
import { lotsSyncRetry, lotsSyncStatus } from "./commands/lots-sync";
import { lotsDiscrepancies, lotsReconcile, lotsResolveDiscrepancy } from "./commands/lots-reconcile";

import { lotsProduce } from "./commands/lots-produce";
import { traceLotCommand } from "./commands/trace-lot";
import { traceCustomerCommand } from "./commands/trace-customer";
import { recallCustomers } from "./commands/recall-customers";
import { recallExport } from "./commands/recall-export";
import { recallOpen, recallShow, recallList, recallClose, recallContact } from "./commands/recall-cases";
import { recallNotify } from "./commands/recall-notify";
import { allocationsList } from "./commands/allocations-list";
import { allocationsMove } from "./commands/allocations-move";
import { traceOrderCommand } from "./commands/trace-order";
import { eventsList, eventsReplay } from "./commands/events";
import { privacyRequests } from "./commands/privacy";
import { ordersPickList } from "./commands/orders-pick-list";
import { recallDrill, recallEffectiveness } from "./commands/recall-drill";
import { expiryRun, expirySettingsCommand } from "./commands/expiry";
import { reportCommands } from "./commands/reports";

export const commands: Command[] = [
  doctor,
  setup,
  gs1Parse,
  lotsReceive,
  lotsShow,
  lotsList,
  lotsAdjust,
  lotsCount,
  lotsBin,
  lotsTransfer,
  lotsQuarantine,
  lotsRelease,
  lotsImport,
  lotsEdit,
  lotsLabel,
  lotsSyncStatus,
  lotsSyncRetry,
  lotsReconcile,
  lotsDiscrepancies,
  lotsResolveDiscrepancy,
  lotsProduce,
  expiryRun,
  expirySettingsCommand,
  ...reportCommands,
  traceLotCommand,
  traceCustomerCommand,
  recallCustomers,
  recallExport,
  recallOpen,
  recallShow,
  recallList,
  recallClose,
  recallContact,
  recallNotify,
  allocationsList,
  allocationsMove,
  traceOrderCommand,
  eventsList,
  eventsReplay,
  privacyRequests,
  ordersPickList,
  recallDrill,
  recallEffectiveness,
];
