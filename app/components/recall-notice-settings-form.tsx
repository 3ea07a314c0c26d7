// Settings > Recall notices: the sender, the contact for customers' questions, and the notice
// template (subject and body with {{placeholders}}). An empty subject or body is the default
// (decision 107); the fields show the default so a merchant edits from it.
import { Form, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, FormLayout, InlineStack, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { DEFAULT_NOTICE_BODY, DEFAULT_NOTICE_SUBJECT, NOTICE_PLACEHOLDERS } from "../domain/recall/notice-rules";
import type { ActionResult } from "./action-result";

export interface NoticeSettingsView {
  fromAddress: string | null;
  merchantContact: string | null;
  subject: string | null;
  body: string | null;
  smtpConfigured: boolean;
}

export function RecallNoticeSettingsForm({ notices, result }: { notices: NoticeSettingsView; result: ActionResult | undefined }) {
  const navigation = useNavigation();
  const [from, setFrom] = useState(notices.fromAddress ?? "");
  const [contact, setContact] = useState(notices.merchantContact ?? "");
  const [subject, setSubject] = useState(notices.subject ?? DEFAULT_NOTICE_SUBJECT);
  const [body, setBody] = useState(notices.body ?? DEFAULT_NOTICE_BODY);
  const saving = navigation.state === "submitting" && navigation.formData?.get("intent") === "notices";
  const errors = result?.errors ?? {};
  return (
    <Card>
      <Form method="post">
        <input type="hidden" name="intent" value="notices" />
        <FormLayout>
          {notices.smtpConfigured ? null : (
            <Banner tone="warning" title="No mail server configured">
              The operator must set SMTP_URL before notices can be sent (see the README, Recall notices).
            </Banner>
          )}
          <TextField
            label="Sender address"
            name="fromAddress"
            type="email"
            value={from}
            onChange={setFrom}
            autoComplete="off"
            placeholder="recalls@yourstore.com"
            helpText="Customers' replies come back to this address. Your mail server must be allowed to send for its domain."
            error={errors.fromAddress}
          />
          <TextField
            label="Contact for customers' questions ({{merchant_contact}})"
            name="merchantContact"
            value={contact}
            onChange={setContact}
            autoComplete="off"
            placeholder="0800 123 456 (free of charge), recalls@yourstore.com"
            helpText="The regulation asks for a free-of-charge phone number or an online service."
            error={errors.merchantContact}
          />
          <TextField label="Subject" name="subject" value={subject} onChange={setSubject} autoComplete="off" error={errors.subject} />
          <TextField label="Message" name="body" value={body} onChange={setBody} multiline={14} autoComplete="off" error={errors.body} monospaced />
          <BlockStack gap="100">
            <Text as="p" tone="subdued">
              {`Placeholders: ${NOTICE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(" ")}. Hazard, action, remedy and how to respond are written on each recall.`}
            </Text>
          </BlockStack>
          <InlineStack gap="200">
            <Button submit variant="primary" loading={saving}>
              Save recall notice settings
            </Button>
            <Button
              onClick={() => {
                setSubject(DEFAULT_NOTICE_SUBJECT);
                setBody(DEFAULT_NOTICE_BODY);
              }}
            >
              Use the default text
            </Button>
          </InlineStack>
        </FormLayout>
      </Form>
    </Card>
  );
}
