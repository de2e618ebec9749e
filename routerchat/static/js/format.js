// How the page writes money and counts: the usage dialog, the conversation's cost, each answer's
// cost line and the model list's prices.

// Dollars for a cost; "—" when the upstream reported none (not the same as a free $0).
export function formatCost(cost) {
  if (cost === null || cost === undefined) return "—";
  if (cost === 0) return "$0";
  if (cost < 0.0001) return "<$0.0001";
  return `$${cost.toFixed(cost < 1 ? 4 : 2)}`;
}

// Tokens or requests, grouped the reader's way ("12,345"); none reported counts as 0.
export function formatCount(count) {
  return (count || 0).toLocaleString();
}

// What an answer cost: dollars when the upstream said, else its tokens, else nothing.
export function usageLabel(usage) {
  if (!usage) return "";
  if (usage.cost !== null && usage.cost !== undefined) return formatCost(usage.cost);
  const tokens = usage.total_tokens ?? ((usage.prompt_tokens || 0) + (usage.completion_tokens || 0));
  return tokens ? `${formatCount(tokens)} tokens` : "";
}

// The tokens behind that label, shown on hover.
export function usageDetail(usage) {
  return usage ? `${formatCount(usage.prompt_tokens)} tokens in, ${formatCount(usage.completion_tokens)} out` : "";
}

// A price per token (OpenRouter lists it as text) in dollars per million tokens; "?" when it is no price.
function pricePerMillion(value) {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) return "?";
  return `$${(number * 1e6).toFixed(number * 1e6 < 1 ? 2 : 1)}`;
}

// A model in the preset dialog's list: "free · 128k context", or its prices and context.
export function modelInfo(model) {
  const context = model.context_length ? `${Math.round(model.context_length / 1000)}k context` : "";
  if (model.free) return `free · ${context}`;
  return `${pricePerMillion(model.pricing.prompt)} in / ${pricePerMillion(model.pricing.completion)} out per M tokens · ${context}`;
}
