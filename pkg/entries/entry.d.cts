import type { ManaApi } from "./index.cjs";
export * from "./index.cjs";
/** Creates the provider and starts syncing in the background. */
export declare const createManaProvider: ManaApi["createManaProvider"];
/** Stateless block verification without a provider. */
export declare const verifyBlock: ManaApi["verifyBlock"];
/** The client version. */
export declare const version: ManaApi["version"];
