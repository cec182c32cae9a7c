/**
 * The values a cadence step's templates ({{firstName}}, {{contactName}}) are filled from when the
 * step is sent: the contact's enrollment variables, plus the name given at enrollment as
 * `contactName` unless a variable already has that name. Compose Follow-up and every preview
 * (the trigger's Test step, Cadence → Simulate) use this, so a preview shows what is sent.
 */
export function messageVariables(
	contactName: string | null | undefined,
	variables: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
	const values: Record<string, unknown> = { ...(variables ?? {}) };
	const name = typeof contactName === 'string' ? contactName.trim() : '';
	if (name && values.contactName === undefined) values.contactName = name;
	return values;
}
