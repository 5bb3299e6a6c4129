// Types for the rule's tests (the rule itself is plain JavaScript, as ESLint loads it).
import type { ESLint, Rule } from 'eslint';

export declare const noImportCycle: Rule.RuleModule;
declare const plugin: ESLint.Plugin;
export default plugin;
