export { compose, composeStatic, type ComposeDeps } from './compose';
export { mapConcurrent } from './concurrency';
export { renderMessage, renderTemplate } from './render-template';
export { buildPrompt } from './prompt';
export { checkDraft, expectedLanguage, nearRepeat } from './guardrails';
export { detectLanguage } from './language';
export { messageVariables } from './message-variables';
export { normalise } from './similarity';
export * from './types';
