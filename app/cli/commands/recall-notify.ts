// `lotkeeper recall notify`: send the recall notices by email (decision 107), or with --status
// list the notices in some statuses (e.g. who needs another channel) without sending.
import type { Command } from "../command";
import { optionalLimit, optionalString, requireString, UsageError } from "../command";
import { requireShopId } from "../shop-option";
import { recallIdFor } from "./recall-cases";
import {
  listNotices,
  noticeProgress,
  NOTICE_STATUSES,
  requestRecallNotices,
  setNoticeDetails,
  type NoticeStatus,
} from "../../domain/recall/recall-notices.server";
import { parseNoticeDetails, type NoticeDetails } from "../../domain/recall/notice-rules";
import { parseId } from "../../lib/ids";

const DETAIL_OPTIONS = ["hazard", "action", "remedy", "respond"] as const;

export const recallNotify: Command = {
  name: "recall notify",
  summary: "Email every customer of a recall one notice (queued, paced per shop), or list notices by status",
  usage: `lotkeeper recall notify --shop <domain> --recall <id or reference>
                       [--hazard <text>] [--action <text>] [--remedy <text>] [--respond <text>]
lotkeeper recall notify --shop <domain> --recall <id or reference> --status no_email,bounced,failed [--limit <n>] [--after <id>]

Sends through SMTP_URL, from the shop's sender address, with the shop's template (admin:
Settings > Recall notices). --hazard, --action, --remedy and --respond set what the notice says
about this recall first (as the recall page does; hazard defaults to the recall's reason). Every
customer gets at most one notice per recall: running it again only mails customers who joined
the case since. Customers without email are listed as no_email (needs another channel); redacted
customers are skipped. Prints {queued, progress}. With --status: prints {notices, nextAfter}
(statuses: queued, sending, sent, bounced, failed, no_email) and sends nothing.`,
  options: {
    shop: { type: "string" },
    recall: { type: "string" },
    hazard: { type: "string" },
    action: { type: "string" },
    remedy: { type: "string" },
    respond: { type: "string" },
    status: { type: "string" },
    limit: { type: "string" },
    after: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const recallId = await recallIdFor(shopId, requireString(args, "recall"));
    const statusText = optionalString(args, "status");
    if (statusText !== undefined) {
      const statuses = statusText.split(",").map((s) => s.trim().toUpperCase()) as NoticeStatus[];
      const unknown = statuses.filter((s) => !NOTICE_STATUSES.includes(s));
      if (unknown.length) throw new UsageError(`--status: unknown ${unknown.join(", ")} (use ${NOTICE_STATUSES.map((s) => s.toLowerCase()).join(", ")})`);
      const afterText = optionalString(args, "after");
      const after = afterText === undefined ? null : parseId(afterText);
      if (afterText !== undefined && after === null) throw new UsageError("--after must be the nextAfter of the previous page");
      const page = await listNotices(shopId, recallId, statuses, { afterId: after, limit: optionalLimit(args, 500) ?? 100 });
      return { notices: page.notices, nextAfter: page.nextAfterId };
    }
    const given = Object.fromEntries(DETAIL_OPTIONS.filter((o) => optionalString(args, o) !== undefined).map((o) => [o, optionalString(args, o)]));
    if (Object.keys(given).length) {
      const parsed = parseNoticeDetails(given);
      await setNoticeDetails(shopId, recallId, Object.fromEntries(Object.keys(given).map((k) => [k, parsed[k as keyof NoticeDetails]])));
    }
    const { jobId } = await requestRecallNotices(shopId, recallId);
    return { queued: true, jobId, progress: await noticeProgress(shopId, recallId) };
  },
};
