export { compose, composeStatic, type ComposeDeps } from './compose';
export { mapConcurrent } from './concurrency';
export { renderMessage, renderTemplate } from './render-template';
export { buildPrompt } from './prompt';
export { checkDraft, expectedLanguage, nearRepeat } from './guardrails';
export { detectLanguage } from './language';
export * from './types';
