// The recall page's "Recall notices by email" card: what the notice says about this recall
// (hazard, action, remedy, how to respond), "Send notices", the count per status, and the
// customers who need the merchant (no email: another channel; bounced; failed). The route's
// action handles the intents "notice-details" and "send-notices".
import { useFetcher, useRevalidator } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, FormLayout, IndexTable, InlineStack, List, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { Jsonified } from "../lib/admin-context.server";
import type { RecallNoticesView } from "../domain/recall/recall-notices.server";
import type { ActionResult } from "./action-result";
import { useResultToast } from "./action-result";
import { plural } from "./plural";
import { ANSWER_LABELS, type NoticeAnswer } from "../domain/recall/notice-answer-rules";

const STATUS_LABELS: Record<string, { label: string; tone?: "success" | "critical" | "warning" | "attention" | "info" }> = {
  QUEUED: { label: "Queued", tone: "info" },
  SENDING: { label: "Sending", tone: "info" },
  SENT: { label: "Sent", tone: "success" },
  BOUNCED: { label: "Bounced", tone: "critical" },
  FAILED: { label: "Failed", tone: "critical" },
  NO_EMAIL: { label: "Needs another channel", tone: "warning" },
};

export function RecallNoticesCard({ notices, open }: { notices: Jsonified<RecallNoticesView>; open: boolean }) {
  const details = useFetcher<ActionResult>();
  const send = useFetcher<ActionResult>();
  useResultToast(details.data);
  useResultToast(send.data);
  const [hazard, setHazard] = useState(notices.details.hazard ?? "");
  const [action, setAction] = useState(notices.details.action ?? "");
  const [remedy, setRemedy] = useState(notices.details.remedy ?? "");
  const [respond, setRespond] = useState(notices.details.respond ?? "");
  const p = notices.progress;
  const errors = details.data?.errors ?? {};
  // Sending was asked for but the fan-out job has not written the notices yet: look again shortly
  // (once they exist, the page refreshes itself while any is queued).
  const revalidator = useRevalidator();
  const preparing = Boolean(send.data?.ok) && p.total === 0;
  useEffect(() => {
    if (!preparing) return;
    const timer = setInterval(() => revalidator.revalidate(), 2000);
    return () => clearInterval(timer);
  }, [preparing, revalidator]);

  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Recall notices by email
        </Text>
        <Text as="p" tone="subdued">
          Every customer with an email address gets one notice for this recall, from the template under Settings. A sent notice marks the customer contacted.
        </Text>
        <details.Form method="post">
          <input type="hidden" name="intent" value="notice-details" />
          <FormLayout>
            <TextField
              label="Hazard"
              name="hazard"
              multiline={2}
              value={hazard}
              onChange={setHazard}
              autoComplete="off"
              placeholder={notices.reason}
              helpText="What can happen to the customer, plainly. Avoid words like “voluntary” or “precautionary”. Empty: the recall's reason."
              error={errors.hazard}
              disabled={!open}
            />
            <TextField
              label="What customers must do"
              name="action"
              multiline={2}
              value={action}
              onChange={setAction}
              autoComplete="off"
              helpText="The notice already says “stop using this product immediately”; add what else (e.g. do not eat it, unplug it)."
              error={errors.action}
              disabled={!open}
            />
            <TextField
              label="Remedy"
              name="remedy"
              multiline={2}
              value={remedy}
              onChange={setRemedy}
              autoComplete="off"
              helpText="What you offer, free of charge: refund, replacement or repair."
              error={errors.remedy}
              disabled={!open}
            />
            <TextField
              label="How to respond"
              name="respond"
              value={respond}
              onChange={setRespond}
              autoComplete="off"
              placeholder="Reply to this email, quoting your order number."
              error={errors.respond}
              disabled={!open}
            />
            <InlineStack gap="200">
              <Button submit loading={details.state !== "idle"} disabled={!open}>
                Save notice details
              </Button>
              <Button
                variant="primary"
                disabled={!open || notices.blockers.length > 0}
                loading={send.state !== "idle"}
                onClick={() => send.submit({ intent: "send-notices" }, { method: "post" })}
              >
                Send notices
              </Button>
            </InlineStack>
          </FormLayout>
        </details.Form>
        {open && notices.blockers.length > 0 ? (
          <Banner tone="warning" title="Notices cannot be sent yet">
            <List>
              {notices.blockers.map((b) => (
                <List.Item key={b}>{b}</List.Item>
              ))}
            </List>
          </Banner>
        ) : null}
        {send.data && !send.data.ok ? (
          <Banner tone="critical" title="Notices not sent">
            {send.data.error}
          </Banner>
        ) : null}
        {p.total > 0 ? (
          <InlineStack gap="200">
            <Badge tone="success">{`${p.sent} sent`}</Badge>
            {p.queued + p.sending > 0 ? <Badge tone="info">{`${p.queued + p.sending} in progress`}</Badge> : null}
            {p.bounced ? <Badge tone="critical">{`${p.bounced} bounced`}</Badge> : null}
            {p.failed ? <Badge tone="critical">{`${p.failed} failed`}</Badge> : null}
            {p.noEmail ? <Badge tone="warning">{`${plural(p.noEmail, "customer")} without email: needs another channel`}</Badge> : null}
          </InlineStack>
        ) : (
          <Text as="p" tone="subdued">
            {preparing ? "Preparing the notices…" : "No notices sent for this recall yet."}
          </Text>
        )}
        {notices.attention.length > 0 ? (
          <IndexTable
            resourceName={{ singular: "customer", plural: "customers" }}
            itemCount={notices.attention.length}
            selectable={false}
            headings={[{ title: "Customer" }, { title: "Email" }, { title: "Orders" }, { title: "Notice" }, { title: "Reason" }]}
          >
            {notices.attention.map((n, i) => (
              <IndexTable.Row id={n.id} key={n.id} position={i}>
                <IndexTable.Cell>{n.customerName ?? n.customerKey}</IndexTable.Cell>
                <IndexTable.Cell>{n.email ?? "—"}</IndexTable.Cell>
                <IndexTable.Cell>{n.orders}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Badge tone={STATUS_LABELS[n.status]?.tone}>{STATUS_LABELS[n.status]?.label ?? n.status}</Badge>
                </IndexTable.Cell>
                <IndexTable.Cell>{n.reason ?? (n.status === "NO_EMAIL" ? "No email address: call or write to the customer" : "—")}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        ) : null}
        {p.total > 0 ? <NoticeResponses responses={notices.responses} /> : null}
        {notices.moreAttention ? (
          <Text as="p" tone="subdued">
            More customers need attention: lotkeeper recall notify --status lists them all.
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

/** Answers through the notice's link (decision 111): who answered what, who needs a call. */
function NoticeResponses({ responses }: { responses: Jsonified<RecallNoticesView>["responses"] }) {
  const c = responses.counts;
  return (
    <BlockStack gap="200">
      <Text as="h3" variant="headingSm">
        Answers
      </Text>
      <InlineStack gap="200">
        <Badge tone="success">{`${c.answered} answered`}</Badge>
        <Badge tone="info">{`${c.notAnswered} not answered yet`}</Badge>
        {c.needsCall ? <Badge tone="critical">{`${plural(c.needsCall, "customer")} needs a call`}</Badge> : null}
      </InlineStack>
      {responses.needsCall.length > 0 ? (
        <IndexTable
          resourceName={{ singular: "customer to call", plural: "customers to call" }}
          itemCount={responses.needsCall.length}
          selectable={false}
          headings={[{ title: "Needs a call" }, { title: "Email" }, { title: "Orders" }, { title: "Why" }]}
        >
          {responses.needsCall.map((n, i) => (
            <IndexTable.Row id={n.id} key={n.id} position={i}>
              <IndexTable.Cell>{n.customerName ?? n.customerKey}</IndexTable.Cell>
              <IndexTable.Cell>{n.email ?? "—"}</IndexTable.Cell>
              <IndexTable.Cell>{n.orders}</IndexTable.Cell>
              <IndexTable.Cell>
                {n.status === "SENT" ? `No answer after ${plural(n.remindersSent, "reminder")}` : (STATUS_LABELS[n.status]?.label ?? n.status)}
              </IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      ) : null}
      {responses.answered.length > 0 ? (
        <IndexTable
          resourceName={{ singular: "answer", plural: "answers" }}
          itemCount={responses.answered.length}
          selectable={false}
          headings={[{ title: "Answered" }, { title: "Orders" }, { title: "Answer" }, { title: "Note" }]}
        >
          {responses.answered.map((n, i) => (
            <IndexTable.Row id={n.id} key={n.id} position={i}>
              <IndexTable.Cell>{n.customerName ?? n.customerKey}</IndexTable.Cell>
              <IndexTable.Cell>{n.orders}</IndexTable.Cell>
              <IndexTable.Cell>{n.answer ? ANSWER_LABELS[n.answer as NoticeAnswer] : "—"}</IndexTable.Cell>
              <IndexTable.Cell>{n.note ?? "—"}</IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      ) : null}
      {responses.moreAnswered || responses.moreNeedsCall ? (
        <Text as="p" tone="subdued">
          The lists show the first 50 customers each.
        </Text>
      ) : null}
    </BlockStack>
  );
}
